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
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(command);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ManageMasterData);
            var model = await db.VehicleModels.GetAsync(command.ModelId, "vehicle model", cancellationToken).ConfigureAwait(false);
            var asset = new Asset
            {
                Code = command.Code,
                Name = command.Name ?? $"{model.Make} {model.Name} {command.Vin}",
                Kind = AssetKind.Vehicle,
                SiteId = command.SiteId,
                CostCenterId = command.CostCenterId,
                Status = AssetStatus.Active,
                CommissionedAt = db.UtcNow,
            };
            var vehicle = new Vehicle
            {
                Vin = command.Vin,
                ModelId = model.Id,
                CustomerId = command.CustomerId,
                ModelYear = command.ModelYear,
                Plate = command.Plate,
                OdometerKm = command.OdometerKm,
            };
            Validation.Throw(asset.Validate().Concat(vehicle.Validate()));
            db.Assets.Add(asset);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            vehicle.Id = asset.Id;
            db.Vehicles.Add(vehicle);
            return vehicle;
        }, cancellationToken);
    }

    public Task<Equipment> RegisterEquipmentAsync(OperationScope scope, RegisterEquipment command, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(command);
        return UnitOfWork.RunAsync(store, scope, async db =>
        {
            AccessPolicy.Demand(scope.Actor, Capability.ManageMasterData);
            await db.ProductionLines.GetAsync(command.LineId, "production line", cancellationToken).ConfigureAwait(false);
            var asset = new Asset
            {
                Code = command.Code,
                Name = command.Name,
                Kind = AssetKind.Equipment,
                SiteId = command.SiteId,
                CostCenterId = command.CostCenterId,
                Status = AssetStatus.Active,
                CommissionedAt = db.UtcNow,
            };
            var equipment = new Equipment
            {
                LineId = command.LineId,
                IdealCycleTimeSeconds = command.IdealCycleTimeSeconds,
                Manufacturer = command.Manufacturer,
                SerialNumber = command.SerialNumber,
            };
            Validation.Throw(asset.Validate().Concat(equipment.Validate()));
            db.Assets.Add(asset);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            equipment.Id = asset.Id;
            db.Equipment.Add(equipment);
            return equipment;
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
}
