/// Maps each fabric kind to its driver. A kind without a driver is refused with a message, never run by another.
public struct DriverRegistry: Sendable {
    private let drivers: [FabricKind: any FabricDriver]

    /// A registry of these drivers (the last one wins when two serve the same kind).
    public init(_ drivers: [any FabricDriver]) {
        var map: [FabricKind: any FabricDriver] = [:]
        for d in drivers { map[d.kind] = d }
        self.drivers = map
    }

    /// Every registered driver.
    public var all: [any FabricDriver] { drivers.values.sorted { $0.kind.rawValue < $1.kind.rawValue } }

    /// The driver of a kind.
    public func driver(for kind: FabricKind) throws(WeftError) -> any FabricDriver {
        guard let d = drivers[kind] else {
            let known = drivers.keys.map(\.rawValue).sorted().joined(separator: ", ")
            throw WeftError.invalid(
                "fabrics of kind \(kind.rawValue) have no driver in this Weft (kinds it drives: \(known)); use a fabric of one of those kinds")
        }
        return d
    }

    /// The driver named by a run record (`RunRecord.driver`).
    public func driver(named name: String) throws(WeftError) -> any FabricDriver {
        guard let kind = FabricKind(rawValue: name) else {
            throw WeftError.workspace("a run names driver '\(name)', which this Weft does not know; upgrade Weft")
        }
        return try driver(for: kind)
    }
}
