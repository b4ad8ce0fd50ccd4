using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Millwright.Shared;

/// <summary>
/// Loads YAML documents for the projects that read YAML files (settings, pipelines, contracts, dbt projects),
/// compiled into each of them. YamlDotNet builds its node tree recursively, so a file nested thousands of levels
/// deep would end the process with a stack overflow; the depth is checked first on the (iterative) event
/// parser and refused as an ordinary <see cref="YamlException"/> with the position where it went too deep.
/// </summary>
internal static class YamlDocuments
{
    /// <summary>No configuration a person writes comes near this; the node tree and its readers stay far from the stack's end.</summary>
    public const int MaxDepth = 256;

    public static YamlStream Load(TextReader reader)
    {
        var text = reader.ReadToEnd();
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case SequenceStart or MappingStart:
                    if (++depth > MaxDepth)
                    {
                        throw new YamlException(parser.Current.Start, parser.Current.End, $"nested deeper than {MaxDepth} levels");
                    }

                    break;
                case SequenceEnd or MappingEnd:
                    depth--;
                    break;
            }
        }

        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream;
    }
}
