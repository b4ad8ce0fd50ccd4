using System.Globalization;
using System.Text;

namespace Millwright.Modeling.Templating;

internal enum TokenKind
{
    Text,
    VariableBegin,
    VariableEnd,
    BlockBegin,
    BlockEnd,
    Name,
    String,
    Integer,
    Float,
    Operator,
    End,
}

internal readonly record struct Token(TokenKind Kind, string Value, int Line, int Column)
{
    public bool Is(TokenKind kind, string value) => Kind == kind && Value == value;

    public bool IsName(string value) => Kind == TokenKind.Name && Value == value;

    public bool IsOperator(string value) => Kind == TokenKind.Operator && Value == value;

    public override string ToString() => Kind switch
    {
        TokenKind.End => "end of template",
        TokenKind.VariableEnd => "'}}'",
        TokenKind.BlockEnd => "'%}'",
        TokenKind.String => $"string '{Value}'",
        _ => $"'{Value}'",
    };
}

/// <summary>
/// Splits a template into text and tag tokens the way Jinja2 does with dbt's settings: newlines normalised to
/// "\n", one trailing newline dropped, no trim_blocks and no lstrip_blocks; '-' on a tag strips the whitespace
/// beside it; comments vanish; raw blocks are text.
/// </summary>
internal sealed class Lexer
{
    private static readonly string[] Operators =
    [
        "//", "**", "==", "!=", "<=", ">=",
        "+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "=", ";",
    ];

    private readonly string _source;
    private readonly string _name;
    private readonly List<Token> _tokens = [];
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private Lexer(string source, string name)
    {
        _source = source;
        _name = name;
    }

    public static List<Token> Tokenize(string source, string name)
    {
        source = source.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (source.EndsWith('\n'))
        {
            source = source[..^1];
        }

        var lexer = new Lexer(source, name);
        lexer.Run();
        return lexer._tokens;
    }

    private int Column => _pos - _lineStart + 1;

    private void Run()
    {
        var stripNext = false;
        while (_pos < _source.Length)
        {
            var next = FindTagStart(_pos);
            var textEnd = next < 0 ? _source.Length : next;
            var text = _source[_pos..textEnd];
            var textLine = _line;
            var textColumn = Column;
            if (stripNext)
            {
                text = text.TrimStart();
            }

            var opener = next < 0 ? "" : _source.Substring(next, 2);
            var stripBefore = next >= 0 && next + 2 < _source.Length && _source[next + 2] == '-';
            if (stripBefore)
            {
                text = text.TrimEnd();
            }

            // A raw block: its content is text, with the '-' modifiers of its own tags applied.
            if (opener == "{%" && TryRaw(next, out var rawStart, out var rawEnd, out var afterRaw, out var rawStripInside, out var endStripBefore, out var stripAfterRaw))
            {
                EmitText(text, textLine, textColumn);
                var content = _source[rawStart..rawEnd];
                if (rawStripInside)
                {
                    content = content.TrimStart();
                }

                if (endStripBefore)
                {
                    content = content.TrimEnd();
                }

                Advance(rawStart);
                EmitText(content, _line, Column);
                Advance(afterRaw);
                stripNext = stripAfterRaw;
                continue;
            }

            EmitText(text, textLine, textColumn);
            Advance(textEnd);
            if (next < 0)
            {
                break;
            }

            stripNext = opener switch
            {
                "{#" => Comment(),
                "{{" => Tag(TokenKind.VariableBegin, TokenKind.VariableEnd, "}}"),
                _ => Tag(TokenKind.BlockBegin, TokenKind.BlockEnd, "%}"),
            };
        }

        _tokens.Add(new Token(TokenKind.End, "", _line, Column));
    }

    private int FindTagStart(int from)
    {
        for (var i = from; i < _source.Length - 1; i++)
        {
            if (_source[i] == '{' && _source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    private void EmitText(string text, int line, int column)
    {
        if (text.Length > 0)
        {
            _tokens.Add(new Token(TokenKind.Text, text, line, column));
        }
    }

    private void Advance(int to)
    {
        for (; _pos < to; _pos++)
        {
            if (_source[_pos] == '\n')
            {
                _line++;
                _lineStart = _pos + 1;
            }
        }
    }

    private bool Comment()
    {
        var start = _pos;
        var end = _source.IndexOf("#}", _pos + 2, StringComparison.Ordinal);
        if (end < 0)
        {
            throw new TemplateException("unclosed comment: '{#' has no matching '#}'", _name, _line, Column);
        }

        var strip = end > start + 2 && _source[end - 1] == '-';
        Advance(end + 2);
        return strip;
    }

    private bool TryRaw(int at, out int contentStart, out int contentEnd, out int after, out bool stripInside, out bool endStripBefore, out bool stripAfter)
    {
        contentStart = contentEnd = after = 0;
        stripInside = endStripBefore = stripAfter = false;
        var i = at + 2;
        if (i < _source.Length && _source[i] is '-' or '+')
        {
            i++;
        }

        i = SkipSpaces(i);
        if (!MatchWord(i, "raw"))
        {
            return false;
        }

        i = SkipSpaces(i + 3);
        if (i < _source.Length && _source[i] == '-')
        {
            stripInside = true;
            i++;
        }

        if (!Matches(i, "%}"))
        {
            return false;
        }

        contentStart = i + 2;
        var search = contentStart;
        while (true)
        {
            var tag = _source.IndexOf("{%", search, StringComparison.Ordinal);
            if (tag < 0)
            {
                Advance(at);
                throw new TemplateException("unclosed raw block: '{% raw %}' has no '{% endraw %}'", _name, _line, Column);
            }

            var j = tag + 2;
            var minus = j < _source.Length && _source[j] == '-';
            if (j < _source.Length && _source[j] is '-' or '+')
            {
                j++;
            }

            j = SkipSpaces(j);
            if (MatchWord(j, "endraw"))
            {
                j = SkipSpaces(j + 6);
                var minusAfter = j < _source.Length && _source[j] == '-';
                if (j < _source.Length && _source[j] is '-' or '+')
                {
                    j++;
                }

                if (Matches(j, "%}"))
                {
                    contentEnd = tag;
                    endStripBefore = minus;
                    stripAfter = minusAfter;
                    after = j + 2;
                    return true;
                }
            }

            search = tag + 2;
        }
    }

    private int SkipSpaces(int i)
    {
        while (i < _source.Length && char.IsWhiteSpace(_source[i]))
        {
            i++;
        }

        return i;
    }

    private bool Matches(int i, string text) => string.CompareOrdinal(_source, i, text, 0, text.Length) == 0;

    private bool MatchWord(int i, string word) =>
        Matches(i, word) && (i + word.Length >= _source.Length || !IsNameChar(_source[i + word.Length]));

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    /// <summary>Tokenizes one tag's inside; returns whether its closing marker asked to strip what follows.</summary>
    private bool Tag(TokenKind begin, TokenKind endKind, string closer)
    {
        _tokens.Add(new Token(begin, closer == "}}" ? "{{" : "{%", _line, Column));
        Advance(_pos + 2);
        if (_pos < _source.Length && _source[_pos] is '-' or '+')
        {
            Advance(_pos + 1);
        }

        var depth = 0;
        while (true)
        {
            while (_pos < _source.Length && char.IsWhiteSpace(_source[_pos]))
            {
                Advance(_pos + 1);
            }

            if (_pos >= _source.Length)
            {
                throw new TemplateException($"unexpected end of template: the tag is not closed with '{closer}'", _name, _line, Column);
            }

            if (depth == 0)
            {
                if (_source[_pos] is '-' or '+' && Matches(_pos + 1, closer))
                {
                    var strip = _source[_pos] == '-';
                    _tokens.Add(new Token(endKind, closer, _line, Column));
                    Advance(_pos + 3);
                    return strip;
                }

                if (Matches(_pos, closer))
                {
                    _tokens.Add(new Token(endKind, closer, _line, Column));
                    Advance(_pos + 2);
                    return false;
                }
            }

            var c = _source[_pos];
            var line = _line;
            var column = Column;
            if (char.IsAsciiLetter(c) || c == '_')
            {
                var start = _pos;
                while (_pos < _source.Length && IsNameChar(_source[_pos]))
                {
                    _pos++;
                }

                _tokens.Add(new Token(TokenKind.Name, _source[start.._pos], line, column));
            }
            else if (char.IsAsciiDigit(c))
            {
                ReadNumber(line, column);
            }
            else if (c is '\'' or '"')
            {
                _tokens.Add(new Token(TokenKind.String, ReadString(c), line, column));
            }
            else
            {
                var op = Array.Find(Operators, o => Matches(_pos, o))
                    ?? throw new TemplateException($"unexpected character '{c}'", _name, line, column);
                if (op is "(" or "[" or "{")
                {
                    depth++;
                }
                else if (op is ")" or "]" or "}")
                {
                    if (depth == 0)
                    {
                        throw new TemplateException($"unexpected '{op}'", _name, line, column);
                    }

                    depth--;
                }

                _tokens.Add(new Token(TokenKind.Operator, op, line, column));
                _pos += op.Length;
            }
        }
    }

    private void ReadNumber(int line, int column)
    {
        var start = _pos;
        var isFloat = false;
        while (_pos < _source.Length && (char.IsAsciiDigit(_source[_pos]) || _source[_pos] == '_'))
        {
            _pos++;
        }

        if (_pos + 1 < _source.Length && _source[_pos] == '.' && char.IsAsciiDigit(_source[_pos + 1]))
        {
            isFloat = true;
            _pos++;
            while (_pos < _source.Length && (char.IsAsciiDigit(_source[_pos]) || _source[_pos] == '_'))
            {
                _pos++;
            }
        }

        if (_pos < _source.Length && _source[_pos] is 'e' or 'E')
        {
            var j = _pos + 1;
            if (j < _source.Length && _source[j] is '+' or '-')
            {
                j++;
            }

            if (j < _source.Length && char.IsAsciiDigit(_source[j]))
            {
                isFloat = true;
                _pos = j;
                while (_pos < _source.Length && char.IsAsciiDigit(_source[_pos]))
                {
                    _pos++;
                }
            }
        }

        var text = _source[start.._pos].Replace("_", "", StringComparison.Ordinal);
        _tokens.Add(new Token(isFloat ? TokenKind.Float : TokenKind.Integer, text, line, column));
    }

    private string ReadString(char quote)
    {
        var line = _line;
        var column = Column;
        var sb = new StringBuilder();
        var i = _pos + 1;
        while (true)
        {
            if (i >= _source.Length)
            {
                throw new TemplateException("unterminated string literal", _name, line, column);
            }

            var c = _source[i];
            if (c == quote)
            {
                break;
            }

            if (c == '\\' && i + 1 < _source.Length)
            {
                var e = _source[i + 1];
                i += 2;
                switch (e)
                {
                    case 'n': sb.Append('\n'); break;
                    case 't': sb.Append('\t'); break;
                    case 'r': sb.Append('\r'); break;
                    case '0': sb.Append('\0'); break;
                    case '\\': sb.Append('\\'); break;
                    case '\'': sb.Append('\''); break;
                    case '"': sb.Append('"'); break;
                    case '\n': break;
                    case 'u' when i + 4 <= _source.Length:
                        sb.Append((char)int.Parse(_source.AsSpan(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 4;
                        break;
                    case 'x' when i + 2 <= _source.Length:
                        sb.Append((char)int.Parse(_source.AsSpan(i, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 2;
                        break;
                    default: sb.Append('\\').Append(e); break;
                }

                continue;
            }

            sb.Append(c);
            i++;
        }

        Advance(i + 1);
        return sb.ToString();
    }
}
