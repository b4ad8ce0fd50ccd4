namespace Millwright.Simulation.Core;

internal static class Text
{
    /// <summary>A name as ASCII letters only, lower case (e-mail addresses, user names): "João" is "joao".</summary>
    public static string Ascii(string name) => new([.. name.Normalize(System.Text.NormalizationForm.FormD).ToLowerInvariant().Where(char.IsAsciiLetter)]);
}
