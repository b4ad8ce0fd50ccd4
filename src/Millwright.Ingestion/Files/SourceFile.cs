using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Millwright.Ingestion.Files;

/// <summary>A source file made ready for the engine's reader: its checksum, and a UTF-8 copy when it is in another encoding.</summary>
internal sealed class SourceFile : IDisposable
{
    private readonly string? _temporary;

    /// <summary>Where transcoding met a NUL character, described; the copy stops there and the load is refused.</summary>
    private readonly string? _transcodedNul;

    private SourceFile(string original, string readPath, string? temporary, string? transcodedNul = null)
    {
        Original = original;
        ReadPath = readPath;
        _temporary = temporary;
        _transcodedNul = transcodedNul;
    }

    public string Original { get; }

    /// <summary>What the engine reads: the file itself, or a UTF-8 copy.</summary>
    public string ReadPath { get; }

    /// <summary>
    /// SHA-256 of the file's bytes, hex; run beside the engine's read of the file. For a text file read as it is
    /// (UTF-8), the same pass looks for NUL bytes (a transcoded file was checked as it was copied), which no CSV or JSON text holds: the engine would carry them into
    /// values or column names, so the first one is reported with its line and column and the load refused.
    /// </summary>
    public Task<FileScan> ScanAsync(bool text, CancellationToken cancellationToken) => Task.Run(
        async () =>
        {
            await using var stream = new FileStream(Original, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan | FileOptions.Asynchronous);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var look = text && ReadPath == Original && !Original.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
            var buffer = new byte[1 << 20];
            var (line, lineStart, offset) = (1L, 0L, 0L);
            var head = new byte[4];
            var headCount = 0;
            string? nul = null;
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                var block = buffer.AsSpan(0, read);
                hash.AppendData(block);
                if (look && nul is null)
                {
                    if (headCount < head.Length)
                    {
                        var take = Math.Min(head.Length - headCount, read);
                        block[..take].CopyTo(head.AsSpan(headCount));
                        headCount += take;
                    }

                    var at = block.IndexOf((byte)0);
                    var upTo = at < 0 ? block : block[..at];
                    var newlines = upTo.Count((byte)'\n');
                    if (newlines > 0)
                    {
                        line += newlines;
                        lineStart = offset + upTo.LastIndexOf((byte)'\n') + 1;
                    }

                    if (at >= 0)
                    {
                        nul = NulMessage(line, offset + at - lineStart + 1, head.AsSpan(0, headCount));
                    }
                }

                offset += read;
            }

            return new FileScan(Convert.ToHexStringLower(hash.GetHashAndReset()), nul ?? _transcodedNul);
        },
        cancellationToken);

    private string NulMessage(long line, long column, ReadOnlySpan<byte> head)
    {
        var utf16 = head.Length == 4 && ((head[0] != 0 && head[1] == 0 && head[2] != 0 && head[3] == 0) || (head[0] == 0 && head[1] != 0 && head[2] == 0 && head[3] != 0));
        return utf16
            ? $"{Original}: line {line}, column {column}: a NUL byte; the file looks like UTF-16 without a byte order mark: set format.encoding to utf-16 (or utf-16be) in its contract"
            : $"{Original}: line {line}, column {column}: a NUL byte, which text never holds; the file is binary or damaged";
    }

    public static async Task<SourceFile> OpenAsync(string path, string encoding, CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new IngestionException($"{full}: no such file");
        }

        var gzip = full.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        var source = SourceEncoding(full, gzip, encoding);
        if (source is null)
        {
            return new SourceFile(full, full, null);
        }

        // The engine reads UTF-8 only: another encoding is transcoded into a temporary copy, line for line.
        var temporary = Path.Combine(Path.GetTempPath(), $"millwright-ingest-{Guid.NewGuid():N}{Path.GetExtension(gzip ? full[..^3] : full)}");
        string? nul = null;
        await using (var input = Open(full, gzip))
        using (var reader = new StreamReader(input, source, detectEncodingFromByteOrderMarks: true))
        await using (var output = new StreamWriter(temporary, false, new UTF8Encoding(false)))
        {
            var buffer = new char[1 << 16];
            var line = 1L;
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                var block = buffer.AsSpan(0, read);
                var at = block.IndexOf('\0');
                if (at >= 0)
                {
                    line += block[..at].Count('\n');
                    nul = $"{full}: line {line}: a NUL character, which text never holds; the file is binary, damaged or not in {source.WebName}";
                    break;
                }

                line += block.Count('\n');
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }

        return new SourceFile(full, temporary, temporary, nul);
    }

    /// <summary>The encoding to transcode from, or null when the engine can read the file as it is (UTF-8, with or without BOM).</summary>
    private static Encoding? SourceEncoding(string path, bool gzip, string encoding)
    {
        Span<byte> head = stackalloc byte[4];
        int count;
        using (var stream = Open(path, gzip))
        {
            count = stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        }

        var bom = head[..count];
        if (bom.Length >= 2 && ((bom[0] == 0xFF && bom[1] == 0xFE) || (bom[0] == 0xFE && bom[1] == 0xFF)))
        {
            return bom[0] == 0xFF ? Encoding.Unicode : Encoding.BigEndianUnicode;
        }

        return encoding.ToLowerInvariant().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal) switch
        {
            "utf8" => null,
            "utf16" or "utf16le" => Encoding.Unicode,
            "utf16be" => Encoding.BigEndianUnicode,
            "latin1" or "iso88591" => Encoding.Latin1,
            "windows1252" or "cp1252" => Windows1252,
            "auto" => Detect(path, gzip),
            _ => throw new IngestionException($"{path}: encoding '{encoding}' is not supported (utf-8, utf-16, latin-1, windows-1252 or auto)"),
        };
    }

    private static Encoding Windows1252 => CodePagesEncodingProvider.Instance.GetEncoding(1252)!;

    /// <summary>
    /// For <c>encoding: auto</c>: a file that is valid UTF-8 is read as it is; one whose bytes above 127 never form a
    /// UTF-8 character is a single-byte export (Windows-1252, the superset of latin-1 that spreadsheets write); a file
    /// with both is UTF-8 with damaged lines, which the reader refuses line by line.
    /// </summary>
    private static Encoding? Detect(string path, bool gzip)
    {
        using var stream = Open(path, gzip);
        var buffer = new byte[1 << 20];
        var (carried, valid, invalid) = (0, 0L, 0L);
        int read;
        while ((read = stream.Read(buffer, carried, buffer.Length - carried)) > 0 || carried > 0)
        {
            var final = read == 0;
            var span = buffer.AsSpan(0, carried + read);
            var i = 0;
            carried = 0;
            while (i < span.Length)
            {
                var next = span[i..].IndexOfAnyInRange((byte)0x80, (byte)0xFF);
                if (next < 0)
                {
                    break;
                }

                i += next;
                var status = Rune.DecodeFromUtf8(span[i..], out _, out var consumed);
                if (status == System.Buffers.OperationStatus.NeedMoreData && !final)
                {
                    // A character split by the buffer's end: read it again with the next block.
                    span[i..].CopyTo(buffer);
                    carried = span.Length - i;
                    break;
                }

                (valid, invalid) = status == System.Buffers.OperationStatus.Done ? (valid + 1, invalid) : (valid, invalid + 1);
                i += Math.Max(consumed, 1);
            }

            if (final)
            {
                break;
            }
        }

        return invalid == 0 || valid > 0 ? null : Windows1252;
    }

    private static Stream Open(string path, bool gzip)
    {
        var file = File.OpenRead(path);
        return gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    public void Dispose()
    {
        if (_temporary is not null)
        {
            File.Delete(_temporary);
        }
    }
}

/// <summary>What one pass over a source file found: its SHA-256 (hex), and the first NUL byte of a text file, described.</summary>
internal sealed record FileScan(string Checksum, string? Nul);
