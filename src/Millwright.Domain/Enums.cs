namespace Millwright.Domain;

// Enum members are stored and serialized in UPPER_SNAKE_CASE (IN_PROGRESS, ISSUE_TO_ORDER): see EnumNames.

public enum Role { Mechanic, Planner, Supervisor, Manager, Admin }

public enum SiteKind { Workshop, Plant, Warehouse }

/// <summary>Stock and Van hold real stock; the others are virtual, so every movement has two sides.</summary>
public enum LocationKind { Stock, Van, Supplier, Consumed, Scrap, Adjust }

public enum AssetKind { Vehicle, Equipment }

public enum AssetStatus { Active, Down, Retired }

public enum BodyType { Motorcycle, Car }

public enum BatteryChemistry { Nmc, Lfp, Nca, Lmfp, Lto }

public enum MovementType { Receipt, IssueToOrder, ReturnFromOrder, Transfer, Adjust, Scrap }

public enum PurchaseOrderStatus { Draft, Submitted, Approved, PartiallyReceived, Received, Closed, Cancelled }

public enum ServiceOrderType { Corrective, Preventive, Predictive, Inspection, Warranty }

public enum Priority { Low, Medium, High, Critical }

public enum ServiceOrderStatus { Open, Scheduled, InProgress, OnHold, Completed, Closed, Cancelled }

public enum AssignmentRole { Lead, Assist }

public enum WorkEventType { Start, Pause, Resume, Finish }

public enum AlertSource { Telemetry, Driver, Inspection }

public enum AlertStatus { Raised, Cleared }

public enum Severity { Info, Warning, Critical }

public enum ChargerType { Ac, Dc }

public enum EquipmentState { Producing, Setup, UnplannedDown, PlannedDown, Idle }

public enum InvoiceStatus { Draft, Issued, Void }

public enum InvoiceLineKind { Labor, Parts, Fee }

public enum ChangeOperation { Insert, Update, Delete }
