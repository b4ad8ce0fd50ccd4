using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;

namespace Millwright.Ingestion.Files;

/// <summary>A source file made ready for the engine's reader: its checksum, and a UTF-8 copy when it is in another encoding.</summary>
internal sealed class SourceFile : IDisposable
{
    private readonly string? _temporary;

    private SourceFile(string original, string readPath, string? temporary)
    {
        Original = original;
        ReadPath = readPath;
        _temporary = temporary;
    }

    public string Original { get; }

    /// <summary>What the engine reads: the file itself, or a UTF-8 copy.</summary>
    public string ReadPath { get; }

    /// <summary>SHA-256 of the file's bytes, hex; run beside the engine's read of the file.</summary>
    public Task<string> HashAsync(CancellationToken cancellationToken) => Task.Run(
        async () =>
        {
            await using var stream = new FileStream(Original, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan | FileOptions.Asynchronous);
            return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
        },
        cancellationToken);

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
        await using (var input = Open(full, gzip))
        using (var reader = new StreamReader(input, source, detectEncodingFromByteOrderMarks: true))
        await using (var output = new StreamWriter(temporary, false, new UTF8Encoding(false)))
        {
            var buffer = new char[1 << 16];
            int read;
            while ((read = await reader.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            }
        }

        return new SourceFile(full, temporary, temporary);
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
            return Encoding.Unicode;
        }

        return encoding.ToLowerInvariant().Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal) switch
        {
            "utf8" => null,
            "utf16" or "utf16le" => Encoding.Unicode,
            "utf16be" => Encoding.BigEndianUnicode,
            "latin1" or "iso88591" => Encoding.Latin1,
            _ => throw new IngestionException($"{path}: encoding '{encoding}' is not supported (utf-8, utf-16 or latin-1)"),
        };
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
