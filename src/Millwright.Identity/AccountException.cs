namespace Millwright.Identity;

/// <summary>A request about users or tokens that cannot be done as asked; the message says why.</summary>
public sealed class AccountException : Exception
{
    public AccountException(string message)
        : base(message)
    {
    }

    public AccountException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public AccountException()
    {
    }
}
