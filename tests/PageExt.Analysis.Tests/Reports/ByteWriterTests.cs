using PageExt.Analysis.Reports;

namespace PageExt.Analysis.Tests.Reports;

/// <summary>ByteWriter with overlapped writes: the same bytes in the same order, and a failed background write is not lost.</summary>
public sealed class ByteWriterTests
{
    [Theory]
    [InlineData(16)]
    [InlineData(1000)]
    public void Overlapped_writes_give_the_bytes_of_plain_writes(int bufferBytes)
    {
        var random = new Random(20261127);
        var pieces = Enumerable.Range(0, 3000).Select(_ => random.Next(0, 3) switch
        {
            0 => new byte[] { (byte)random.Next(256) },
            1 => RandomBytes(random, random.Next(0, bufferBytes)),
            _ => RandomBytes(random, random.Next(bufferBytes, bufferBytes * 3)),
        }).ToArray();

        Assert.Equal(WriteAll(pieces, bufferBytes, overlap: false), WriteAll(pieces, bufferBytes, overlap: true));
    }

    [Fact]
    public void A_failed_background_write_is_thrown_to_the_writer()
    {
        using var stream = new FailingStream();
        var writer = new ByteWriter(stream, bufferBytes: 64, overlapWrites: true);
        var error = Record.Exception(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                writer.Write(new byte[40]);
            }

            writer.Flush();
        });
        Assert.IsType<IOException>(error);
        Assert.Equal("disk full", error.Message);
    }

    private static byte[] WriteAll(byte[][] pieces, int bufferBytes, bool overlap)
    {
        using var output = new MemoryStream();
        using (var writer = new ByteWriter(output, bufferBytes, overlap))
        {
            foreach (var piece in pieces)
            {
                if (piece.Length == 1)
                {
                    writer.Write(piece[0]);
                }
                else
                {
                    writer.Write(piece);
                }
            }
        }

        return output.ToArray();
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private sealed class FailingStream : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("disk full");

        public override void Write(ReadOnlySpan<byte> buffer) => throw new IOException("disk full");
    }
}
