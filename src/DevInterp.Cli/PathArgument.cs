using System.CommandLine;

namespace DevInterp.Cli;

/// <summary>Positional path arguments that reject option-like tokens, so a mistyped option is a usage error.</summary>
public static class PathArgument
{
    /// <summary>Creates a required path argument.</summary>
    public static Argument<string> Create(string name, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(result =>
        {
            string? value = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
            if (value is not null && value.StartsWith("--", StringComparison.Ordinal))
                result.AddError($"unknown option '{value}' (expected {name})");
        });
        return argument;
    }
}
