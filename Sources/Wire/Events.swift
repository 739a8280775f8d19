public import GeoCore

/// A moving thing's position at an event time: the unit of every point stream.
public struct PointEvent: Hashable, Sendable {
    /// The object id, always text (AIS MMSIs and zero-padded ids must not become numbers).
    public var id: String
    /// Event time, epoch milliseconds UTC. Windows and alerts are driven by this, never the clock.
    public var t: Int64
    /// WGS84 longitude/latitude in degrees, validated finite and in range by every reader.
    public var point: Point
    public var props: JSONObject

    public init(id: String, t: Int64, point: Point, props: JSONObject = JSONObject()) {
        self.id = id
        self.t = t
        self.point = point
        self.props = props
    }
}

/// An area at an event time: an object (a storm cell, a vehicle footprint) or a dynamic geofence.
public struct PolygonEvent: Hashable, Sendable {
    public enum Role: String, Hashable, Sendable, CaseIterable {
        /// An area that is tracked, alerted on and dissolved like any object.
        case object
        /// Adds or replaces the geofence with this id from `t` on; with no geometry, removes it.
        case fence
    }

    public var id: String
    public var t: Int64
    /// `.polygon` or `.multiPolygon`; nil is the empty geometry (only meaningful for `.fence`: removal).
    public var geometry: Geometry?
    public var role: Role
    public var props: JSONObject

    public init(id: String, t: Int64, geometry: Geometry?, role: Role = .object, props: JSONObject = JSONObject()) {
        self.id = id
        self.t = t
        self.geometry = geometry
        self.role = role
        self.props = props
    }
}

/// What a reader produces: either kind of event, in input order.
public enum InputEvent: Hashable, Sendable {
    case point(PointEvent)
    case polygon(PolygonEvent)

    public var id: String {
        switch self {
        case let .point(event): event.id
        case let .polygon(event): event.id
        }
    }

    public var t: Int64 {
        switch self {
        case let .point(event): event.t
        case let .polygon(event): event.t
        }
    }
}

/// A record a reader could not use: where it was, why, and the raw text (cut to 200 bytes).
///
/// Routed to the `rejected` topic and counted; reading goes on after it (unless `--strict`).
public struct Rejection: Hashable, Sendable, CustomStringConvertible {
    /// The input's name: a file path, "stdin", or a producer endpoint.
    public var source: String
    /// 1-based line number, for line-oriented input (CSV, one Feature per line).
    public var line: Int?
    /// Byte offset from the start of the input, for inputs where lines mean little (a FeatureCollection).
    public var offset: Int?
    /// Why, in words a user can act on: "lat 91.5 is outside [-90, 90]".
    public var reason: String
    /// The offending text, at most 200 bytes (cut on a UTF-8 boundary).
    public var raw: String

    public init(source: String, line: Int? = nil, offset: Int? = nil, reason: String, raw: some Collection<UInt8>) {
        self.source = source
        self.line = line
        self.offset = offset
        self.reason = reason
        self.raw = Rejection.cut(raw)
    }

    /// At most `limit` bytes of `bytes` as text, never splitting a UTF-8 sequence.
    static func cut(_ bytes: some Collection<UInt8>, limit: Int = 200) -> String {
        var prefix = Array(bytes.prefix(limit))
        if bytes.count > limit, !prefix.isEmpty {
            // Find where the last character starts; drop it if the cut left it incomplete.
            var start = prefix.count - 1
            while start > 0 && prefix[start] & 0xC0 == 0x80 { start -= 1 }
            let lead = prefix[start]
            let length = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            if prefix.count - start < length { prefix.removeSubrange(start...) }
        }
        return String(decoding: prefix, as: UTF8.self)
    }

    public var description: String {
        let place = line.map { "line \($0)" } ?? offset.map { "byte \($0)" } ?? "?"
        return "\(source) \(place): \(reason)"
    }
}
