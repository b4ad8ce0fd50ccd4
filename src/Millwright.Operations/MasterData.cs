using Microsoft.EntityFrameworkCore;
using Millwright.Domain;
using Millwright.Operations.Data;

namespace Millwright.Operations;

public sealed record RegisterVehicle(string Code, long SiteId, string Vin, long ModelId, int ModelYear)
{
    public string? Name { get; init; }
    public long? CustomerId { get; init; }
    public long? CostCenterId { get; init; }
    public string? Plate { get; init; }
    public decimal OdometerKm { get; init; }
}

public sealed record RegisterEquipment(string Code, string Name, long SiteId, long LineId, decimal IdealCycleTimeSeconds)
{
    public long? CostCenterId { get; init; }
    public string? Manufacturer { get; init; }
    public string? SerialNumber { get; init; }
}

/// <summary>Create and update master data (sites, parts, mechanics, …) with validation, versioning and audit.</summary>
public sealed class MasterData(OperationsStore store)
{
    public Task<T> CreateAsync<T>(OperationScope scope, T entity, CancellationToken cancellationToken = default) where T : Entity, IMasterData
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(entity);
        return UnitOfWork.RunAsync(store, scope, db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ManageMasterData);
            if (entity is Vehicle or Equipment)
            {
                throw new DomainRuleException("asset.register", "vehicles and equipment are registered with their asset (register a vehicle or equipment)");
            }

            entity.Id = 0;
            Validation.Throw(entity.Validate());
            db.Set<T>().Add(entity);
            return Task.FromResult(entity);
        }, cancellationToken);
    }

    /// <summary>Applies <paramref name="change"/> to the row read at <paramref name="expectedVersion"/>; a newer row means a conflict.</summary>
    public Task<T> UpdateAsync<T>(OperationScope scope, long id, long? expectedVersion, Action<T> change, CancellationToken cancellationToken = default) where T : Entity, IMasterData
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(change);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ManageMasterData);
            var entity = await db.Set<T>().GetAsync(id, OperationsDbContext.TableOf(typeof(T)), expectedVersion, cancellationToken).ConfigureAwait(false);

            change(entity);
            entity.Id = id;
            Validation.Throw(entity.Validate());
            if (entity is StockLocation location && db.Entry(location).Property(l => l.Kind).IsModified)
            {
                throw ValidationFailedException.For("kind", "the kind of a stock location cannot change");
            }

            return entity;
        }, cancellationToken);
    }

    public Task<Vehicle> RegisterVehicleAsync(OperationScope scope, RegisterVehicle command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return RegisterAssetAsync(scope, async db =>
        {
            var model = await db.VehicleModels.GetAsync(command.ModelId, "vehicle model", cancellationToken).ConfigureAwait(false);
            var asset = NewAsset(db, AssetKind.Vehicle, command.Code, command.Name ?? $"{model.Make} {model.Name} {command.Vin}", command.SiteId, command.CostCenterId);
            return (asset, new Vehicle
            {
                Vin = command.Vin,
                ModelId = model.Id,
                CustomerId = command.CustomerId,
                ModelYear = command.ModelYear,
                Plate = command.Plate,
                OdometerKm = command.OdometerKm,
            });
        }, cancellationToken);
    }

    public Task<Equipment> RegisterEquipmentAsync(OperationScope scope, RegisterEquipment command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        return RegisterAssetAsync(scope, async db =>
        {
            await db.ProductionLines.GetAsync(command.LineId, "production line", cancellationToken).ConfigureAwait(false);
            return (NewAsset(db, AssetKind.Equipment, command.Code, command.Name, command.SiteId, command.CostCenterId), new Equipment
            {
                LineId = command.LineId,
                IdealCycleTimeSeconds = command.IdealCycleTimeSeconds,
                Manufacturer = command.Manufacturer,
                SerialNumber = command.SerialNumber,
            });
        }, cancellationToken);
    }

    /// <summary>Puts a pack into a vehicle; the pack it replaces is removed, and both stay in the installation history.</summary>
    public Task<BatteryPackInstallation> InstallBatteryPackAsync(OperationScope scope, long vehicleId, long batteryPackId, long? serviceOrderId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ConsumeParts);
            var vehicle = await db.Vehicles.GetAsync(vehicleId, "vehicle", cancellationToken).ConfigureAwait(false);
            var pack = await db.BatteryPacks.GetAsync(batteryPackId, "battery pack", cancellationToken).ConfigureAwait(false);
            if (await db.BatteryPackInstallations.AnyAsync(i => i.BatteryPackId == pack.Id && i.RemovedAt == null, cancellationToken).ConfigureAwait(false))
            {
                throw new DomainRuleException("battery_pack.installed", $"battery pack {pack.Serial} is installed in another vehicle; remove it first");
            }

            var now = db.UtcNow;
            var current = await db.BatteryPackInstallations.FirstOrDefaultAsync(i => i.VehicleId == vehicle.Id && i.RemovedAt == null, cancellationToken).ConfigureAwait(false);
            if (current is not null)
            {
                current.RemovedAt = now;
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }

            var installation = new BatteryPackInstallation
            {
                BatteryPackId = pack.Id,
                VehicleId = vehicle.Id,
                InstalledAt = now,
                OdometerKmAtInstall = vehicle.OdometerKm,
                ServiceOrderId = serviceOrderId,
            };
            db.BatteryPackInstallations.Add(installation);
            vehicle.CurrentBatteryPackId = pack.Id;
            return installation;
        }, cancellationToken);
    }

    /// <summary>
    /// Inserts the asset, then its vehicle or equipment row under the asset's id (the subtype shares the key), both
    /// validated together and saved in one transaction.
    /// </summary>
    private Task<TSubtype> RegisterAssetAsync<TSubtype>(OperationScope scope, Func<OperationsDbContext, Task<(Asset Asset, TSubtype Subtype)>> build, CancellationToken cancellationToken)
        where TSubtype : Entity, IMasterData
    {
        ArgumentNullException.ThrowIfNull(scope);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ManageMasterData);
            var (asset, subtype) = await build(db).ConfigureAwait(false);
            Validation.Throw(asset.Validate().Concat(subtype.Validate()));
            db.Assets.Add(asset);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            subtype.Id = asset.Id;
            db.Set<TSubtype>().Add(subtype);
            return subtype;
        }, cancellationToken);
    }

    private static Asset NewAsset(OperationsDbContext db, AssetKind kind, string code, string name, long siteId, long? costCenterId) => new()
    {
        Code = code,
        Name = name,
        Kind = kind,
        SiteId = siteId,
        CostCenterId = costCenterId,
        Status = AssetStatus.Active,
        CommissionedAt = db.UtcNow,
    };
}
