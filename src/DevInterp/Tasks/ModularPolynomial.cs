using System.Globalization;

namespace DevInterp.Tasks;

/// <summary>
/// A polynomial in a and b with integer coefficients, evaluated modulo p: the <c>polynomial</c> operation of the modular
/// task (e.g. <c>a^2 + b^2</c>, <c>a*b + 3*a - b</c>, <c>(a + b)^3</c>). Grammar: sums and differences of products
/// (<c>*</c>) of powers (<c>^</c> or <c>**</c> with a non-negative integer exponent) of integers, <c>a</c>, <c>b</c>,
/// parenthesised expressions and negations. Nothing else (no division, no other names).
/// </summary>
public sealed class ModularPolynomial
{
    private readonly Node _root;

    private ModularPolynomial(string text, Node root)
    {
        Text = text;
        _root = root;
    }

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>Parses an expression.</summary>
    /// <exception cref="FormatException">The text is not such a polynomial; the message says where.</exception>
    public static ModularPolynomial Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new Parser(text);
        var root = parser.Expression();
        parser.SkipSpace();
        if (!parser.AtEnd) throw parser.Fail("expected an operator (+, -, *, ^) or the end");
        return new ModularPolynomial(text, root);
    }

    /// <summary>The value at (a, b) modulo p, in [0, p).</summary>
    public int Evaluate(long a, long b, int p)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 2);
        return (int)Mod(_root.Eval(Mod(a, p), Mod(b, p), p), p);
    }

    internal static long Mod(long x, long p)
    {
        long r = x % p;
        return r < 0 ? r + p : r;
    }

    private abstract record Node
    {
        public abstract long Eval(long a, long b, long p);
    }

    private sealed record Constant(long Value) : Node
    {
        public override long Eval(long a, long b, long p) => Mod(Value, p);
    }

    private sealed record Variable(bool IsA) : Node
    {
        public override long Eval(long a, long b, long p) => IsA ? a : b;
    }

    private sealed record Negate(Node Inner) : Node
    {
        public override long Eval(long a, long b, long p) => Mod(-Inner.Eval(a, b, p), p);
    }

    private sealed record Binary(char Op, Node Left, Node Right) : Node
    {
        public override long Eval(long a, long b, long p)
        {
            long x = Left.Eval(a, b, p), y = Right.Eval(a, b, p);
            return Op switch
            {
                '+' => Mod(x + y, p),
                '-' => Mod(x - y, p),
                _ => (long)((UInt128)(ulong)x * (ulong)y % (ulong)p),
            };
        }
    }

    private sealed record Power(Node Base, long Exponent) : Node
    {
        public override long Eval(long a, long b, long p)
        {
            ulong result = 1 % (ulong)p, x = (ulong)Base.Eval(a, b, p);
            for (long e = Exponent; e > 0; e >>= 1)
            {
                if ((e & 1) != 0) result = (ulong)((UInt128)result * x % (ulong)p);
                x = (ulong)((UInt128)x * x % (ulong)p);
            }
            return (long)result;
        }
    }

    private sealed class Parser(string text)
    {
        private const int MaxDepth = 100;
        private int _pos;
        private int _depth;

        public bool AtEnd => _pos >= text.Length;

        public FormatException Fail(string what) =>
            new($"polynomial '{text}': {what} at position {_pos + 1}{(AtEnd ? " (end of text)" : $" ('{text[_pos]}')")}");

        public void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[_pos])) _pos++;
        }

        private bool Take(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _pos, token, 0, token.Length) != 0) return false;
            _pos += token.Length;
            return true;
        }

        public Node Expression()
        {
            if (++_depth > MaxDepth) throw Fail($"nested deeper than {MaxDepth} levels");
            var node = Term();
            while (true)
            {
                if (Take("+")) node = new Binary('+', node, Term());
                else if (Take("-")) node = new Binary('-', node, Term());
                else break;
            }
            _depth--;
            return node;
        }

        private Node Term()
        {
            var node = Factor();
            while (true)
            {
                SkipSpace();
                // '*' but not the '**' of a power (handled in Factor).
                if (!AtEnd && text[_pos] == '*' && (_pos + 1 >= text.Length || text[_pos + 1] != '*'))
                {
                    _pos++;
                    node = new Binary('*', node, Factor());
                }
                else break;
            }
            return node;
        }

        private Node Factor()
        {
            if (Take("-"))
            {
                if (++_depth > MaxDepth) throw Fail($"nested deeper than {MaxDepth} levels");
                var negated = new Negate(Factor());
                _depth--;
                return negated;
            }
            var node = Primary();
            if (Take("**") || Take("^"))
            {
                SkipSpace();
                int start = _pos;
                while (!AtEnd && char.IsAsciiDigit(text[_pos])) _pos++;
                if (start == _pos) throw Fail("expected a non-negative integer exponent");
                if (!long.TryParse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out long exponent))
                    throw Fail("exponent too large");
                node = new Power(node, exponent);
            }
            return node;
        }

        private Node Primary()
        {
            SkipSpace();
            if (AtEnd) throw Fail("expected a number, a, b or '('");
            char c = text[_pos];
            if (c == 'a' || c == 'b')
            {
                _pos++;
                if (!AtEnd && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_')) throw Fail("unknown name (only a and b are variables)");
                return new Variable(c == 'a');
            }
            if (char.IsAsciiDigit(c))
            {
                int start = _pos;
                while (!AtEnd && char.IsAsciiDigit(text[_pos])) _pos++;
                if (!AtEnd && char.IsAsciiLetter(text[_pos])) throw Fail("write products with '*' (e.g. 2*a)");
                if (!long.TryParse(text.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out long value))
                    throw Fail("integer too large");
                return new Constant(value);
            }
            if (c == '(')
            {
                _pos++;
                var inner = Expression();
                if (!Take(")")) throw Fail("expected ')'");
                return inner;
            }
            throw Fail(char.IsAsciiLetter(c) ? "unknown name (only a and b are variables)" : "expected a number, a, b or '('");
        }
    }
}
