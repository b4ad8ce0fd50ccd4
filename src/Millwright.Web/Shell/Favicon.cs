namespace Millwright.Web.Shell;

/// <summary>
/// The tab icon, inline so that the sign-in page (served before any asset is allowed) shows it too and no browser asks
/// for a /favicon.ico that is not there.
/// </summary>
internal static class Favicon
{
    public const string DataUri =
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E"
        + "%3Crect width='32' height='32' rx='6' fill='%23594ae2'/%3E"
        + "%3Cpath d='M7 24V8h3.2L16 16.5 21.8 8H25v16h-3.4V14.2L16 22.3l-5.6-8.1V24z' fill='white'/%3E%3C/svg%3E";
}
