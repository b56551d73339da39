using System.Globalization;
using System.Text;

namespace DevInterp.Tasks.Files;

/// <summary>
/// Parses the small Python literals of a .npy header (<c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (3, 4), }</c>):
/// dicts, tuples, lists, quoted strings, integers, True, False and None. Dicts become
/// <see cref="Dictionary{TKey, TValue}"/> of string keys, tuples and lists <see cref="List{T}"/>, integers long.
/// </summary>
internal sealed class PythonLiteral
{
    private const int MaxDepth = 32;
    private readonly string _text;
    private int _pos;
    private int _depth;

    private PythonLiteral(string text) => _text = text;

    /// <exception cref="FormatException">Not such a literal; the message says where.</exception>
    public static object? Parse(string text)
    {
        var p = new PythonLiteral(text);
        object? value = p.Value();
        p.Space();
        if (p._pos < text.Length) throw p.Fail("unexpected text after the value");
        return value;
    }

    private FormatException Fail(string what) => new($"{what} at character {_pos + 1}");

    private void Space()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private bool Take(char c)
    {
        Space();
        if (_pos < _text.Length && _text[_pos] == c)
        {
            _pos++;
            return true;
        }
        return false;
    }

    private object? Value()
    {
        Space();
        if (_pos >= _text.Length) throw Fail("expected a value");
        if (++_depth > MaxDepth) throw Fail("nested too deeply");
        try
        {
            char c = _text[_pos];
            switch (c)
            {
                case '{': _pos++; return Dict();
                case '(': _pos++; return Sequence(')');
                case '[': _pos++; return Sequence(']');
                case '\'' or '"': return Str();
            }
            if (c == '-' || char.IsAsciiDigit(c)) return Int();
            foreach (var (word, value) in new (string, object?)[] { ("True", true), ("False", false), ("None", null) })
            {
                if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) == 0)
                {
                    _pos += word.Length;
                    return value;
                }
            }
            throw Fail($"unexpected '{c}'");
        }
        finally
        {
            _depth--;
        }
    }

    private Dictionary<string, object?> Dict()
    {
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (!Take('}'))
        {
            Space();
            if (_pos >= _text.Length || _text[_pos] is not ('\'' or '"')) throw Fail("expected a quoted key");
            string key = Str();
            if (!Take(':')) throw Fail("expected ':'");
            dict[key] = Value();
            if (!Take(','))
            {
                if (!Take('}')) throw Fail("expected ',' or '}'");
                break;
            }
        }
        return dict;
    }

    private List<object?> Sequence(char close)
    {
        var items = new List<object?>();
        while (!Take(close))
        {
            items.Add(Value());
            if (!Take(','))
            {
                if (!Take(close)) throw Fail($"expected ',' or '{close}'");
                break;
            }
        }
        return items;
    }

    private string Str()
    {
        char quote = _text[_pos++];
        var sb = new StringBuilder();
        while (_pos < _text.Length && _text[_pos] != quote)
        {
            if (_text[_pos] == '\\' && _pos + 1 < _text.Length) _pos++;
            sb.Append(_text[_pos++]);
        }
        if (_pos >= _text.Length) throw Fail("unterminated string");
        _pos++;
        return sb.ToString();
    }

    private long Int()
    {
        int start = _pos;
        if (_text[_pos] == '-') _pos++;
        while (_pos < _text.Length && char.IsAsciiDigit(_text[_pos])) _pos++;
        // numpy writes Python ints; an 'L' suffix appears in headers written by Python 2.
        string digits = _text[start.._pos];
        if (_pos < _text.Length && _text[_pos] == 'L') _pos++;
        if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            throw Fail($"'{digits}' is not an integer");
        return value;
    }
}
