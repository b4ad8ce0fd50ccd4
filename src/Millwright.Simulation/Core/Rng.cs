namespace Millwright.Simulation.Core;

/// <summary>
/// A seeded random stream. Every entity draws from its own stream (seed, stream name, index), so adding a vehicle or
/// a new kind of draw does not shift the numbers anything else sees: the same seed gives the same data.
/// </summary>
internal sealed class Rng
{
    private readonly Random _random;

    public Rng(int seed, string stream, long index = 0) => _random = new Random(Derive(seed, stream, index));

    public double Uniform() => _random.NextDouble();

    public double Uniform(double low, double high) => low + ((high - low) * _random.NextDouble());

    public int Int(int lowInclusive, int highExclusive) => _random.Next(lowInclusive, highExclusive);

    public bool Chance(double probability) => _random.NextDouble() < probability;

    /// <summary>Box-Muller.</summary>
    public double Normal(double mean = 0, double sd = 1)
    {
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return mean + (sd * Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2));
    }

    /// <summary>A positive value whose median is <paramref name="median"/>; sigma is the spread of its logarithm.</summary>
    public double LogNormal(double median, double sigma) => median * Math.Exp(Normal(0, sigma));

    public double Exponential(double mean) => -mean * Math.Log(1.0 - _random.NextDouble());

    /// <summary>Knuth's method; fine for the small means used here.</summary>
    public int Poisson(double mean)
    {
        if (mean <= 0)
        {
            return 0;
        }

        var limit = Math.Exp(-mean);
        var k = 0;
        var p = 1.0;
        do
        {
            k++;
            p *= _random.NextDouble();
        }
        while (p > limit && k < 1000);
        return k - 1;
    }

    public T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    public T Weighted<T>(IReadOnlyList<(T Item, double Weight)> items)
    {
        var total = 0.0;
        foreach (var (_, w) in items)
        {
            total += w;
        }

        var x = _random.NextDouble() * total;
        foreach (var (item, w) in items)
        {
            x -= w;
            if (x < 0)
            {
                return item;
            }
        }

        return items[^1].Item;
    }

    /// <summary>SplitMix64 over the seed, a stable (FNV-1a) hash of the stream name and the index.</summary>
    private static int Derive(int seed, string stream, long index)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in stream)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        var z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL) ^ hash ^ unchecked((ulong)index * 0xD1B54A32D192ED03UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & 0x7FFFFFFF);
    }
}
