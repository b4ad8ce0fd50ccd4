using System.Collections;
using System.Data.Common;
using System.Globalization;
using System.Text;
using CsvHelper;

namespace Millwright.Bench.Load;

/// <summary>One telemetry reading; the generator is deterministic for a seed.</summary>
internal struct Reading
{
    public int VehicleId;
    public DateTime Ts;
    public double OdometerKm;
    public double SpeedKmh;
    public double BatterySoc;
    public double BatteryTempC;
    public double MotorTempC;
    public string? FaultCode;
}

internal sealed class TelemetryGenerator(int seed, int vehicles = 500)
{
    private static readonly string[] Faults = ["P0A7F", "P0AA6", "P1E00", "U0100", "P0A80", "B1234"];
    private static readonly DateTime Start = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
    private readonly Random _random = new(seed);
    private readonly double[] _odometer = Enumerable.Range(0, vehicles).Select(i => 1000.0 + (i * 37 % 5000)).ToArray();
    private readonly double[] _soc = Enumerable.Repeat(80.0, vehicles).ToArray();
    private long _index;

    public void Next(ref Reading r)
    {
        var v = (int)(_index % _odometer.Length);
        var speed = Math.Round(_random.NextDouble() * 120, 1);
        _odometer[v] += speed / 60.0;
        _soc[v] = _soc[v] < 15 ? 95 : _soc[v] - speed / 400.0;
        r.VehicleId = v + 1;
        r.Ts = Start.AddSeconds(60 * (_index / _odometer.Length));
        r.OdometerKm = Math.Round(_odometer[v], 3);
        r.SpeedKmh = speed;
        r.BatterySoc = Math.Round(_soc[v], 2);
        r.BatteryTempC = Math.Round(20 + speed / 8 + _random.NextDouble() * 5, 2);
        r.MotorTempC = Math.Round(30 + speed / 3 + _random.NextDouble() * 10, 2);
        r.FaultCode = _random.Next(200) == 0 ? Faults[_random.Next(Faults.Length)] : null;
        _index++;
    }

    public static void WriteCsv(string path, long rows, int seed)
    {
        var generator = new TelemetryGenerator(seed);
        using var csv = CsvWriter.ToFile(path, new CsvWriterOptions { NewLine = "\n", FormatProvider = CultureInfo.InvariantCulture }, FileOptions.SequentialScan);
        csv.WriteHeader(Columns.Select(c => c.Name).ToArray());
        var r = default(Reading);
        for (long i = 0; i < rows; i++)
        {
            generator.Next(ref r);
            csv.WriteField(r.VehicleId.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(r.Ts.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            csv.WriteField(r.OdometerKm.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(r.SpeedKmh.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(r.BatterySoc.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(r.BatteryTempC.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(r.MotorTempC.ToString(CultureInfo.InvariantCulture));
            csv.WriteField(r.FaultCode ?? "");
            csv.EndRecord();
        }
    }

    public static readonly (string Name, Type Type, string Sql)[] Columns =
    [
        ("vehicle_id", typeof(int), "INTEGER"),
        ("ts", typeof(DateTime), "TIMESTAMP"),
        ("odometer_km", typeof(double), "DOUBLE PRECISION"),
        ("speed_kmh", typeof(double), "DOUBLE PRECISION"),
        ("battery_soc", typeof(double), "DOUBLE PRECISION"),
        ("battery_temp_c", typeof(double), "DOUBLE PRECISION"),
        ("motor_temp_c", typeof(double), "DOUBLE PRECISION"),
        ("fault_code", typeof(string), "VARCHAR"),
    ];
}

/// <summary>A forward-only record stream of readings with typed getters that never box.</summary>
internal abstract class ReadingReader : DbDataReader
{
    protected Reading Current;

    public override int FieldCount => TelemetryGenerator.Columns.Length;

    public override string GetName(int ordinal) => TelemetryGenerator.Columns[ordinal].Name;

    public override Type GetFieldType(int ordinal) => TelemetryGenerator.Columns[ordinal].Type;

    public override string GetDataTypeName(int ordinal) => TelemetryGenerator.Columns[ordinal].Sql;

    public override int GetOrdinal(string name) => Array.FindIndex(TelemetryGenerator.Columns, c => c.Name == name);

    public override bool IsDBNull(int ordinal) => ordinal == 7 && Current.FaultCode is null;

    public override int GetInt32(int ordinal) => Current.VehicleId;

    public override DateTime GetDateTime(int ordinal) => Current.Ts;

    public override double GetDouble(int ordinal) => ordinal switch
    {
        2 => Current.OdometerKm,
        3 => Current.SpeedKmh,
        4 => Current.BatterySoc,
        5 => Current.BatteryTempC,
        _ => Current.MotorTempC,
    };

    public override string GetString(int ordinal) => Current.FaultCode!;

    public override T GetFieldValue<T>(int ordinal)
    {
        if (typeof(T) == typeof(int))
        {
            var v = GetInt32(ordinal);
            return System.Runtime.CompilerServices.Unsafe.As<int, T>(ref v);
        }

        if (typeof(T) == typeof(double))
        {
            var v = GetDouble(ordinal);
            return System.Runtime.CompilerServices.Unsafe.As<double, T>(ref v);
        }

        if (typeof(T) == typeof(DateTime))
        {
            var v = GetDateTime(ordinal);
            return System.Runtime.CompilerServices.Unsafe.As<DateTime, T>(ref v);
        }

        return (T)GetValue(ordinal);
    }

    public override object GetValue(int ordinal) => ordinal switch
    {
        0 => Current.VehicleId,
        1 => Current.Ts,
        7 => (object?)Current.FaultCode ?? DBNull.Value,
        _ => GetDouble(ordinal),
    };

    public override int GetValues(object[] values)
    {
        for (var i = 0; i < FieldCount; i++)
        {
            values[i] = GetValue(i);
        }

        return FieldCount;
    }

    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override int Depth => 0;

    public override bool HasRows => true;

    public override bool IsClosed => false;

    public override int RecordsAffected => -1;

    public override bool NextResult() => false;

    public override bool GetBoolean(int ordinal) => throw new NotSupportedException();

    public override byte GetByte(int ordinal) => throw new NotSupportedException();

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();

    public override char GetChar(int ordinal) => throw new NotSupportedException();

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();

    public override decimal GetDecimal(int ordinal) => throw new NotSupportedException();

    public override float GetFloat(int ordinal) => throw new NotSupportedException();

    public override Guid GetGuid(int ordinal) => throw new NotSupportedException();

    public override short GetInt16(int ordinal) => throw new NotSupportedException();

    public override long GetInt64(int ordinal) => GetInt32(ordinal);

    public override IEnumerator GetEnumerator() => throw new NotSupportedException();
}

/// <summary>Readings made in memory: the record-stream path without any file parsing.</summary>
internal sealed class GeneratedReader(long rows, int seed) : ReadingReader
{
    private readonly TelemetryGenerator _generator = new(seed);
    private long _read;

    public override bool Read()
    {
        if (_read == rows)
        {
            return false;
        }

        _generator.Next(ref Current);
        _read++;
        return true;
    }
}

/// <summary>Readings parsed from the CSV file with CsvHelper: the record-stream path fed from the file.</summary>
internal sealed class CsvReadingReader : ReadingReader
{
    private readonly CsvReader _csv;
    private readonly Dictionary<string, string> _faults = [];

    public CsvReadingReader(string path)
    {
        _csv = CsvReader.FromFile(path, new CsvReaderOptions { FormatProvider = CultureInfo.InvariantCulture, HasHeader = true }, FileOptions.SequentialScan);
    }

    public override bool Read()
    {
        if (!_csv.Read())
        {
            return false;
        }

        Current.VehicleId = int.Parse(_csv.GetSpan(0), provider: CultureInfo.InvariantCulture);
        Span<char> chars = stackalloc char[32];
        var written = Encoding.UTF8.GetChars(_csv.GetSpan(1), chars);
        Current.Ts = DateTime.ParseExact(chars[..written], "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        Current.OdometerKm = double.Parse(_csv.GetSpan(2), provider: CultureInfo.InvariantCulture);
        Current.SpeedKmh = double.Parse(_csv.GetSpan(3), provider: CultureInfo.InvariantCulture);
        Current.BatterySoc = double.Parse(_csv.GetSpan(4), provider: CultureInfo.InvariantCulture);
        Current.BatteryTempC = double.Parse(_csv.GetSpan(5), provider: CultureInfo.InvariantCulture);
        Current.MotorTempC = double.Parse(_csv.GetSpan(6), provider: CultureInfo.InvariantCulture);
        var fault = _csv.GetSpan(7);
        Current.FaultCode = fault.IsEmpty ? null : Intern(fault);
        return true;
    }

    /// <summary>Fault codes repeat: decode into a stack buffer and reuse one string per distinct code.</summary>
    private string Intern(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[Math.Min(bytes.Length, 256)];
        var written = Encoding.UTF8.GetChars(bytes, chars);
        var lookup = _faults.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!lookup.TryGetValue(chars[..written], out var text))
        {
            text = new string(chars[..written]);
            _faults[text] = text;
        }

        return text;
    }

    public override void Close() => _csv.Dispose();
}
