using System.Globalization;
using System.Runtime.CompilerServices;

namespace Millwright.Modeling.Templating;

/// <summary>Parses tokens into statements and expressions with Jinja2's grammar and operator precedence.</summary>
internal sealed class Parser
{
    private readonly List<Token> _tokens;
    private readonly string _name;
    private readonly TemplateEngine _engine;
    private readonly Stack<HashSet<string>> _macroNames = new();
    private int _pos;

    private Parser(List<Token> tokens, string name, TemplateEngine engine)
    {
        _tokens = tokens;
        _name = name;
        _engine = engine;
    }

    public static List<Stmt> Parse(string source, string name, TemplateEngine engine)
    {
        var parser = new Parser(Lexer.Tokenize(source, name), name, engine);
        var body = parser.ParseBody([], out _);
        return body;
    }

    private Token Current => _tokens[_pos];

    private Token Peek(int ahead = 1) => _tokens[Math.Min(_pos + ahead, _tokens.Count - 1)];

    private Token Next() => _tokens[_pos++];

    private TemplateException Error(string message, Token at) => new(message, _name, at.Line, at.Column);

    /// <summary>
    /// Refuses nesting deeper than the thread's stack holds (a 5,000-deep '((((' or '{% if %}' chain) with
    /// the place it started, instead of letting the process die of a stack overflow.
    /// </summary>
    private void Guard(Token at)
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw Error("expressions or blocks are nested too deeply to parse", at);
        }
    }

    private Token Expect(TokenKind kind, string? value = null)
    {
        var token = Current;
        if (token.Kind != kind || (value is not null && token.Value != value))
        {
            var wanted = value is not null ? $"'{value}'" : kind switch
            {
                TokenKind.Name => "a name",
                TokenKind.BlockEnd => "'%}'",
                TokenKind.VariableEnd => "'}}'",
                _ => kind.ToString(),
            };
            throw Error($"expected {wanted}, got {token}", token);
        }

        _pos++;
        return token;
    }

    private bool SkipIf(TokenKind kind, string value)
    {
        if (Current.Kind == kind && Current.Value == value)
        {
            _pos++;
            return true;
        }

        return false;
    }

    private bool SkipOperator(string op) => SkipIf(TokenKind.Operator, op);

    private bool SkipName(string name) => SkipIf(TokenKind.Name, name);

    /// <summary>Parses statements until a block tag whose name is in <paramref name="ends"/>; that name is returned (tag name consumed).</summary>
    private List<Stmt> ParseBody(HashSet<string> ends, out string end)
    {
        var body = new List<Stmt>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.End:
                    if (ends.Count > 0)
                    {
                        throw Error($"unexpected end of template; expected one of {string.Join(", ", ends.Select(e => $"'{e}'"))}", token);
                    }

                    end = "";
                    return body;
                case TokenKind.Text:
                    _pos++;
                    body.Add(new TextStmt(_name, token.Line, token.Column, token.Value));
                    break;
                case TokenKind.VariableBegin:
                    _pos++;
                    var expr = ParseTuple(withCondExpr: true);
                    Expect(TokenKind.VariableEnd);
                    body.Add(new OutputStmt(_name, token.Line, token.Column, expr));
                    break;
                case TokenKind.BlockBegin:
                    var tag = Peek();
                    if (tag.Kind == TokenKind.Name && ends.Contains(tag.Value))
                    {
                        _pos += 2;
                        end = tag.Value;
                        return body;
                    }

                    _pos++;
                    body.Add(ParseStatement());
                    break;
                default:
                    throw Error($"unexpected {token}", token);
            }
        }
    }

    private Stmt ParseStatement()
    {
        var tag = Current;
        Guard(tag);
        if (tag.Kind != TokenKind.Name)
        {
            throw Error("expected a statement name after '{%'", tag);
        }

        _pos++;
        switch (tag.Value)
        {
            case "if":
                return ParseIf(tag);
            case "for":
                return ParseFor(tag);
            case "set":
                return ParseSet(tag);
            case "macro":
                return ParseMacro(tag, "endmacro", null);
            case "test":
                return ParseMacro(tag, "endtest", "test_");
            case "materialization":
                return ParseMaterialization(tag);
            case "call":
                return ParseCallBlock(tag);
            case "filter":
                return ParseFilterBlock(tag);
            case "do":
                {
                    var expr = ParseTuple(withCondExpr: true);
                    Expect(TokenKind.BlockEnd);
                    return new DoStmt(_name, tag.Line, tag.Column, expr);
                }

            case "break":
            case "continue":
                Expect(TokenKind.BlockEnd);
                return new BreakStmt(_name, tag.Line, tag.Column, tag.Value == "break");
            case "docs":
            case "snapshot":
                {
                    var name = Expect(TokenKind.Name).Value;
                    Expect(TokenKind.BlockEnd);
                    var body = ParseBody(["end" + tag.Value], out _);
                    Expect(TokenKind.BlockEnd);
                    return new NamedBlockStmt(_name, tag.Line, tag.Column, tag.Value, name, body);
                }

            case "extends":
            case "include":
            case "import":
            case "from":
            case "block":
                throw Error($"'{tag.Value}' is not supported: dbt projects share code through macros", tag);
            default:
                throw Error($"unknown tag '{tag.Value}'", tag);
        }
    }

    private IfStmt ParseIf(Token tag)
    {
        var branches = new List<(Expr, IReadOnlyList<Stmt>)>();
        List<Stmt>? otherwise = null;
        var test = ParseTuple(withCondExpr: false);
        while (true)
        {
            Expect(TokenKind.BlockEnd);
            var body = ParseBody(["elif", "else", "endif"], out var end);
            branches.Add((test, body));
            if (end == "elif")
            {
                test = ParseTuple(withCondExpr: false);
                continue;
            }

            if (end == "else")
            {
                Expect(TokenKind.BlockEnd);
                otherwise = ParseBody(["endif"], out _);
            }

            Expect(TokenKind.BlockEnd);
            return new IfStmt(_name, tag.Line, tag.Column, branches, otherwise);
        }
    }

    private ForStmt ParseFor(Token tag)
    {
        var target = ParseAssignTarget(allowAttribute: false);
        Expect(TokenKind.Name, "in");
        var iterable = ParseTuple(withCondExpr: false, noTupleUnlessExplicit: false, stopAtIf: true);
        Expr? condition = null;
        if (SkipName("if"))
        {
            condition = ParseExpression(withCondExpr: false);
        }

        var recursive = SkipName("recursive");
        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["else", "endfor"], out var end);
        List<Stmt>? otherwise = null;
        if (end == "else")
        {
            Expect(TokenKind.BlockEnd);
            otherwise = ParseBody(["endfor"], out _);
        }

        Expect(TokenKind.BlockEnd);
        return new ForStmt(_name, tag.Line, tag.Column, target, iterable, condition, body, otherwise, recursive);
    }

    private Stmt ParseSet(Token tag)
    {
        var target = ParseAssignTarget(allowAttribute: true);
        if (SkipOperator("="))
        {
            var value = ParseTuple(withCondExpr: true);
            Expect(TokenKind.BlockEnd);
            return new SetStmt(_name, tag.Line, tag.Column, target, value);
        }

        var filters = new List<FilterExpr>();
        while (Current.IsOperator("|"))
        {
            _pos++;
            filters.Add(ParseFilterCall(null));
        }

        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endset"], out _);
        Expect(TokenKind.BlockEnd);
        return new SetBlockStmt(_name, tag.Line, tag.Column, target, body, filters);
    }

    private Target ParseAssignTarget(bool allowAttribute)
    {
        var start = Current;
        var first = ParseTargetItem(allowAttribute);
        if (!Current.IsOperator(","))
        {
            return first;
        }

        var items = new List<Target> { first };
        while (SkipOperator(",") && (Current.Kind == TokenKind.Name || Current.IsOperator("(")))
        {
            items.Add(ParseTargetItem(allowAttribute: false));
        }

        return new TupleTarget(_name, start.Line, start.Column, items);
    }

    private Target ParseTargetItem(bool allowAttribute)
    {
        var start = Current;
        if (SkipOperator("("))
        {
            var items = new List<Target> { ParseTargetItem(allowAttribute: false) };
            while (SkipOperator(",") && !Current.IsOperator(")"))
            {
                items.Add(ParseTargetItem(allowAttribute: false));
            }

            Expect(TokenKind.Operator, ")");
            return new TupleTarget(_name, start.Line, start.Column, items);
        }

        var name = Expect(TokenKind.Name);
        if (allowAttribute && SkipOperator("."))
        {
            var attribute = Expect(TokenKind.Name).Value;
            return new AttributeTarget(_name, name.Line, name.Column, name.Value, attribute);
        }

        CheckAssignable(name);
        return new NameTarget(_name, name.Line, name.Column, name.Value);
    }

    private void CheckAssignable(Token name)
    {
        if (name.Value is "true" or "false" or "none" or "True" or "False" or "None")
        {
            throw Error($"cannot assign to '{name.Value}'", name);
        }
    }

    private (List<(string, Expr?)> Parameters, bool Any) ParseParameters()
    {
        var parameters = new List<(string, Expr?)>();
        Expect(TokenKind.Operator, "(");
        while (!Current.IsOperator(")"))
        {
            if (parameters.Count > 0)
            {
                Expect(TokenKind.Operator, ",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            var name = Expect(TokenKind.Name);
            CheckAssignable(name);
            Expr? fallback = null;
            if (SkipOperator("="))
            {
                fallback = ParseExpression(withCondExpr: true);
            }
            else if (parameters.Count > 0 && parameters[^1].Item2 is not null)
            {
                throw Error("non-default argument follows default argument", name);
            }

            parameters.Add((name.Value, fallback));
        }

        Expect(TokenKind.Operator, ")");
        return (parameters, true);
    }

    private MacroStmt ParseMacro(Token tag, string endTag, string? prefix)
    {
        var nameToken = Expect(TokenKind.Name);
        var (parameters, _) = ParseParameters();
        Expect(TokenKind.BlockEnd);
        _macroNames.Push([]);
        var body = ParseBody([endTag], out _);
        var used = _macroNames.Pop();
        if (Current.Kind == TokenKind.Name)
        {
            _pos++;
        }

        Expect(TokenKind.BlockEnd);
        var definition = new MacroDefinition(prefix + nameToken.Value, _name, tag.Line, parameters, body, used.Contains("varargs"), used.Contains("kwargs"), used.Contains("caller"));
        return new MacroStmt(_name, tag.Line, tag.Column, definition);
    }

    private MacroStmt ParseMaterialization(Token tag)
    {
        var nameToken = Expect(TokenKind.Name);
        var adapter = "default";
        while (SkipOperator(","))
        {
            var key = Expect(TokenKind.Name).Value;
            Expect(TokenKind.Operator, "=");
            var value = Expect(TokenKind.String).Value;
            if (key == "adapter")
            {
                adapter = value;
            }
        }

        Expect(TokenKind.BlockEnd);
        _macroNames.Push([]);
        var body = ParseBody(["endmaterialization"], out _);
        _macroNames.Pop();
        Expect(TokenKind.BlockEnd);
        var definition = new MacroDefinition($"materialization_{nameToken.Value}_{adapter}", _name, tag.Line, [], body, false, false, false);
        return new MacroStmt(_name, tag.Line, tag.Column, definition);
    }

    private CallBlockStmt ParseCallBlock(Token tag)
    {
        List<(string, Expr?)> parameters = [];
        if (Current.IsOperator("("))
        {
            (parameters, _) = ParseParameters();
        }

        var call = ParseExpression(withCondExpr: true) as CallExpr ?? throw Error("expected a call after 'call'", tag);
        Expect(TokenKind.BlockEnd);
        _macroNames.Push([]);
        var body = ParseBody(["endcall"], out _);
        var used = _macroNames.Pop();
        Expect(TokenKind.BlockEnd);
        var caller = new MacroDefinition("caller", _name, tag.Line, parameters, body, used.Contains("varargs"), used.Contains("kwargs"), used.Contains("caller"));
        return new CallBlockStmt(_name, tag.Line, tag.Column, call, caller);
    }

    private FilterBlockStmt ParseFilterBlock(Token tag)
    {
        var filters = new List<FilterExpr> { ParseFilterCall(null) };
        while (SkipOperator("|"))
        {
            filters.Add(ParseFilterCall(null));
        }

        Expect(TokenKind.BlockEnd);
        var body = ParseBody(["endfilter"], out _);
        Expect(TokenKind.BlockEnd);
        return new FilterBlockStmt(_name, tag.Line, tag.Column, filters, body);
    }

    // ---- expressions -------------------------------------------------------------------------------------

    /// <summary>An expression, or a tuple when commas follow (as in '{{ a, b }}' or 'for x in a, b').</summary>
    private Expr ParseTuple(bool withCondExpr, bool noTupleUnlessExplicit = false, bool stopAtIf = false)
    {
        var start = Current;
        var items = new List<Expr>();
        var sawComma = false;
        while (true)
        {
            if (items.Count > 0)
            {
                if (!SkipOperator(","))
                {
                    break;
                }

                sawComma = true;
            }

            if (IsTupleEnd(stopAtIf))
            {
                break;
            }

            items.Add(ParseExpression(withCondExpr));
            if (noTupleUnlessExplicit)
            {
                break;
            }
        }

        if (items.Count == 0)
        {
            throw Error($"expected an expression, got {Current}", Current);
        }

        return items.Count == 1 && !sawComma ? items[0] : new TupleExpr(_name, start.Line, start.Column, items);
    }

    private bool IsTupleEnd(bool stopAtIf) =>
        Current.Kind is TokenKind.VariableEnd or TokenKind.BlockEnd or TokenKind.End
        || Current.IsOperator(")") || Current.IsOperator("]") || Current.IsOperator("}")
        || (stopAtIf && (Current.IsName("if") || Current.IsName("recursive")))
        || Current.IsOperator("=");

    private Expr ParseExpression(bool withCondExpr = true) => withCondExpr ? ParseCondExpr() : ParseOr();

    private Expr ParseCondExpr()
    {
        var start = Current;
        var expr = ParseOr();
        while (SkipName("if"))
        {
            var test = ParseOr();
            Expr? otherwise = null;
            if (SkipName("else"))
            {
                otherwise = ParseCondExpr();
            }

            expr = new CondExpr(_name, start.Line, start.Column, test, expr, otherwise);
        }

        return expr;
    }

    private Expr ParseOr()
    {
        var left = ParseAnd();
        while (Current.IsName("or"))
        {
            var op = Next();
            left = new BinaryExpr(_name, op.Line, op.Column, "or", left, ParseAnd());
        }

        return left;
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (Current.IsName("and"))
        {
            var op = Next();
            left = new BinaryExpr(_name, op.Line, op.Column, "and", left, ParseNot());
        }

        return left;
    }

    private Expr ParseNot()
    {
        Guard(Current);
        if (Current.IsName("not"))
        {
            var op = Next();
            return new UnaryExpr(_name, op.Line, op.Column, "not", ParseNot());
        }

        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        var start = Current;
        var first = ParseMath1();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            var t = Current;
            if (t.Kind == TokenKind.Operator && t.Value is "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                _pos++;
                rest.Add((t.Value, ParseMath1()));
            }
            else if (t.IsName("in"))
            {
                _pos++;
                rest.Add(("in", ParseMath1()));
            }
            else if (t.IsName("not") && Peek().IsName("in"))
            {
                _pos += 2;
                rest.Add(("notin", ParseMath1()));
            }
            else
            {
                break;
            }
        }

        return rest.Count == 0 ? first : new CompareExpr(_name, start.Line, start.Column, first, rest);
    }

    private Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Current.Kind == TokenKind.Operator && Current.Value is "+" or "-")
        {
            var op = Next();
            left = new BinaryExpr(_name, op.Line, op.Column, op.Value, left, ParseConcat());
        }

        return left;
    }

    private Expr ParseConcat()
    {
        var start = Current;
        var parts = new List<Expr> { ParseMath2() };
        while (SkipOperator("~"))
        {
            parts.Add(ParseMath2());
        }

        return parts.Count == 1 ? parts[0] : new ConcatExpr(_name, start.Line, start.Column, parts);
    }

    private Expr ParseMath2()
    {
        var left = ParsePow();
        while (Current.Kind == TokenKind.Operator && Current.Value is "*" or "/" or "//" or "%")
        {
            var op = Next();
            left = new BinaryExpr(_name, op.Line, op.Column, op.Value, left, ParsePow());
        }

        return left;
    }

    private Expr ParsePow()
    {
        var left = ParseUnary(withFilter: true);
        while (Current.IsOperator("**"))
        {
            var op = Next();
            left = new BinaryExpr(_name, op.Line, op.Column, "**", left, ParseUnary(withFilter: true));
        }

        return left;
    }

    private Expr ParseUnary(bool withFilter)
    {
        var t = Current;
        Guard(t);
        Expr node;
        if (t.IsOperator("-") || t.IsOperator("+"))
        {
            _pos++;
            node = new UnaryExpr(_name, t.Line, t.Column, t.Value, ParseUnary(withFilter: false));
        }
        else
        {
            node = ParsePrimary();
        }

        node = ParsePostfix(node);
        if (withFilter)
        {
            node = ParseFilterAndTests(node);
        }

        return node;
    }

    private Expr ParsePrimary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case TokenKind.Name:
                switch (t.Value)
                {
                    case "true" or "True":
                        return new ConstExpr(_name, t.Line, t.Column, true);
                    case "false" or "False":
                        return new ConstExpr(_name, t.Line, t.Column, false);
                    case "none" or "None":
                        return new ConstExpr(_name, t.Line, t.Column, null);
                }

                if (_macroNames.Count > 0 && t.Value is "varargs" or "kwargs" or "caller")
                {
                    foreach (var names in _macroNames)
                    {
                        names.Add(t.Value);
                    }
                }

                return new NameExpr(_name, t.Line, t.Column, t.Value);
            case TokenKind.String:
                {
                    var text = t.Value;
                    while (Current.Kind == TokenKind.String)
                    {
                        text += Next().Value;
                    }

                    return new ConstExpr(_name, t.Line, t.Column, text);
                }

            case TokenKind.Integer:
                return new ConstExpr(_name, t.Line, t.Column, long.Parse(t.Value, CultureInfo.InvariantCulture));
            case TokenKind.Float:
                return new ConstExpr(_name, t.Line, t.Column, double.Parse(t.Value, CultureInfo.InvariantCulture));
            case TokenKind.Operator when t.Value == "(":
                {
                    if (SkipOperator(")"))
                    {
                        return new TupleExpr(_name, t.Line, t.Column, []);
                    }

                    var inner = ParseTuple(withCondExpr: true);
                    Expect(TokenKind.Operator, ")");
                    return inner;
                }

            case TokenKind.Operator when t.Value == "[":
                {
                    var items = new List<Expr>();
                    while (!Current.IsOperator("]"))
                    {
                        if (items.Count > 0)
                        {
                            Expect(TokenKind.Operator, ",");
                            if (Current.IsOperator("]"))
                            {
                                break;
                            }
                        }

                        items.Add(ParseExpression());
                    }

                    Expect(TokenKind.Operator, "]");
                    return new ListExpr(_name, t.Line, t.Column, items);
                }

            case TokenKind.Operator when t.Value == "{":
                {
                    var items = new List<(Expr, Expr)>();
                    while (!Current.IsOperator("}"))
                    {
                        if (items.Count > 0)
                        {
                            Expect(TokenKind.Operator, ",");
                            if (Current.IsOperator("}"))
                            {
                                break;
                            }
                        }

                        var key = ParseExpression();
                        Expect(TokenKind.Operator, ":");
                        items.Add((key, ParseExpression()));
                    }

                    Expect(TokenKind.Operator, "}");
                    return new DictExpr(_name, t.Line, t.Column, items);
                }

            default:
                throw Error($"unexpected {t}", t);
        }
    }

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            var t = Current;
            if (t.IsOperator("."))
            {
                _pos++;
                var attr = Next();
                if (attr.Kind == TokenKind.Name)
                {
                    node = new GetAttrExpr(_name, attr.Line, attr.Column, node, attr.Value);
                }
                else if (attr.Kind == TokenKind.Integer)
                {
                    node = new GetItemExpr(_name, attr.Line, attr.Column, node, new ConstExpr(_name, attr.Line, attr.Column, long.Parse(attr.Value, CultureInfo.InvariantCulture)));
                }
                else
                {
                    throw Error($"expected an attribute name after '.', got {attr}", attr);
                }
            }
            else if (t.IsOperator("["))
            {
                _pos++;
                node = ParseSubscript(node, t);
            }
            else if (t.IsOperator("("))
            {
                _pos++;
                node = new CallExpr(_name, t.Line, t.Column, node, ParseCallArgs());
            }
            else
            {
                return node;
            }
        }
    }

    private Expr ParseSubscript(Expr node, Token open)
    {
        Expr? Part() => Current.IsOperator(":") || Current.IsOperator("]") ? null : ParseExpression();

        var start = Part();
        if (SkipOperator(":"))
        {
            var stop = Part();
            Expr? step = null;
            if (SkipOperator(":"))
            {
                step = Part();
            }

            Expect(TokenKind.Operator, "]");
            return new SliceExpr(_name, open.Line, open.Column, node, start, stop, step);
        }

        if (start is null)
        {
            throw Error("expected a subscript", Current);
        }

        if (Current.IsOperator(","))
        {
            var items = new List<Expr> { start };
            while (SkipOperator(",") && !Current.IsOperator("]"))
            {
                items.Add(ParseExpression());
            }

            start = new TupleExpr(_name, open.Line, open.Column, items);
        }

        Expect(TokenKind.Operator, "]");
        return new GetItemExpr(_name, open.Line, open.Column, node, start);
    }

    /// <summary>Arguments after '(' up to and including ')'.</summary>
    private CallArgs ParseCallArgs()
    {
        var positional = new List<Expr>();
        var keywords = new List<(string, Expr)>();
        Expr? starArgs = null;
        Expr? starKwargs = null;
        while (!Current.IsOperator(")"))
        {
            if (positional.Count + keywords.Count > 0 || starArgs is not null || starKwargs is not null)
            {
                Expect(TokenKind.Operator, ",");
                if (Current.IsOperator(")"))
                {
                    break;
                }
            }

            if (SkipOperator("**"))
            {
                starKwargs = ParseExpression();
            }
            else if (SkipOperator("*"))
            {
                starArgs = ParseExpression();
            }
            else if (Current.Kind == TokenKind.Name && Peek().IsOperator("="))
            {
                var key = Next();
                _pos++;
                keywords.Add((key.Value, ParseExpression()));
            }
            else
            {
                if (keywords.Count > 0)
                {
                    throw Error("positional argument follows keyword argument", Current);
                }

                positional.Add(ParseExpression());
            }
        }

        Expect(TokenKind.Operator, ")");
        return new CallArgs(positional, keywords, starArgs, starKwargs);
    }

    private Expr ParseFilterAndTests(Expr node)
    {
        while (true)
        {
            if (Current.IsOperator("|"))
            {
                _pos++;
                node = ParseFilterCall(node);
            }
            else if (Current.IsName("is"))
            {
                var isToken = Next();
                var negate = SkipName("not");
                var nameToken = Expect(TokenKind.Name);
                var name = nameToken.Value;
                while (SkipOperator("."))
                {
                    name += "." + Expect(TokenKind.Name).Value;
                }

                if (!_engine.Tests.TryGetValue(name, out var test))
                {
                    throw Error($"no test named '{name}'", nameToken);
                }

                var args = CallArgs.Empty;
                if (SkipOperator("("))
                {
                    args = ParseCallArgs();
                }
                else if (StartsPrimary(Current) && !Current.IsName("else") && !Current.IsName("or") && !Current.IsName("and") && !Current.IsName("if") && !Current.IsName("not") && !Current.IsName("in") && !Current.IsName("is"))
                {
                    var argument = ParsePostfix(ParsePrimary());
                    args = new CallArgs([argument], [], null, null);
                }

                node = new TestExpr(_name, isToken.Line, isToken.Column, node, test, args, negate);
            }
            else
            {
                return node;
            }
        }
    }

    private static bool StartsPrimary(Token t) =>
        t.Kind is TokenKind.Name or TokenKind.String or TokenKind.Integer or TokenKind.Float
        || t.IsOperator("(") || t.IsOperator("[") || t.IsOperator("{") || t.IsOperator("-");

    private FilterExpr ParseFilterCall(Expr? target)
    {
        var nameToken = Expect(TokenKind.Name);
        var name = nameToken.Value;
        while (SkipOperator("."))
        {
            name += "." + Expect(TokenKind.Name).Value;
        }

        if (!_engine.Filters.TryGetValue(name, out var filter))
        {
            throw Error($"no filter named '{name}'", nameToken);
        }

        var args = SkipOperator("(") ? ParseCallArgs() : CallArgs.Empty;
        return new FilterExpr(_name, nameToken.Line, nameToken.Column, target, name, filter, args);
    }
}
