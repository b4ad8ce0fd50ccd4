namespace Millwright.Web.Orchestration.Pages;

/// <summary>
/// A run's or backfill's id as a page shows it: its last 8 characters. The ids are time-ordered (UUID version 7), so
/// their first characters are the same for everything started within the same minute; their end is random.
/// </summary>
internal static class ShortId
{
    public static string Of(string id) => id.Length > 8 ? id[^8..] : id;
}
