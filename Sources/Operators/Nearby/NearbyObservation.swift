public import GeoCore
public import Wire

/// What a nearby worker tells the publisher about one object at one event time: where the object
/// is now and which objects are near it (a move), or that it was forgotten.
///
/// Observations are internal: they travel as `OperatorOutput`s on the `alerts` topic from workers
/// to the publisher, where `NearbyOperator.combine` turns them into `nearby` / `faraway` alerts and
/// never publishes them as they are. Partners carry their position because the publisher must
/// report the distance of a new pair, and the partner's latest position may have come in an event
/// that needed no observation of its own (it had no partner then).
///
/// JSON (keys in this order): `{"object":"A","lon":…,"lat":…,"props":{…},"partners":[["B",lon,lat],…]}`
/// for a move (partners sorted by id), `{"object":"A","lon":…,"lat":…,"props":{…},"forgotten":true}`
/// for an expiry (the last known position and props).
public struct NearbyObservation: Hashable, Sendable {
    public struct Partner: Hashable, Sendable {
        public var id: String
        public var point: Point

        public init(id: String, point: Point) {
            self.id = id
            self.point = point
        }
    }

    public enum Kind: Hashable, Sendable {
        /// The object has a new latest position; `partners` are every live object within the
        /// distance of it, sorted by id.
        case moved(partners: [Partner])
        /// No position for `forgetAfter` ms: every pair of the object ends.
        case forgotten
    }

    /// The event time (a move) or the time the object was forgotten (`last t + forgetAfter`).
    public var t: Int64
    public var object: String
    public var point: Point
    public var props: JSONObject
    public var kind: Kind

    public init(t: Int64, object: String, point: Point, props: JSONObject, kind: Kind) {
        self.t = t
        self.object = object
        self.point = point
        self.props = props
        self.kind = kind
    }

    /// The order the publisher applies observations in, the order the workers' `EventTimeQueue`
    /// processed their events in: by time, forgetting before moves at the same time (an object
    /// forgotten at `t` is no longer live for a move at `t`), then by object id. Each worker
    /// reports at most one move and one expiry per (time, object), so this order is total.
    public static func applyOrder(_ left: NearbyObservation, _ right: NearbyObservation) -> Bool {
        if left.t != right.t { return left.t < right.t }
        let leftRank = left.kind == .forgotten ? 0 : 1, rightRank = right.kind == .forgotten ? 0 : 1
        if leftRank != rightRank { return leftRank < rightRank }
        return left.object < right.object
    }

    public var output: OperatorOutput {
        var json = JSONText(reservingCapacity: 128)
        json.appendRaw("{\"object\":")
        json.appendString(object)
        json.appendRaw(",\"lon\":")
        json.appendDouble(point.lon)
        json.appendRaw(",\"lat\":")
        json.appendDouble(point.lat)
        json.appendRaw(",\"props\":")
        json.appendObject(props)
        switch kind {
        case let .moved(partners):
            json.appendRaw(",\"partners\":[")
            for (index, partner) in partners.enumerated() {
                if index > 0 { json.appendRaw(",") }
                json.appendRaw("[")
                json.appendString(partner.id)
                json.appendRaw(",")
                json.appendDouble(partner.point.lon)
                json.appendRaw(",")
                json.appendDouble(partner.point.lat)
                json.appendRaw("]")
            }
            json.appendRaw("]}")
        case .forgotten:
            json.appendRaw(",\"forgotten\":true}")
        }
        return OperatorOutput(topic: NearbyOperator.topic, t: t, json: json.text)
    }

    /// Reads an observation back from a worker's output.
    public init(_ output: OperatorOutput) throws(NearbyObservationError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: output.json)
        } catch {
            throw NearbyObservationError(message: "\(error)", json: output.json)
        }
        guard case let .object(object) = value,
              case let .string(id)? = object["object"],
              let lon = Self.number(object["lon"]), let lat = Self.number(object["lat"]),
              case let .object(props)? = object["props"]
        else { throw NearbyObservationError(message: "missing object, lon, lat or props", json: output.json) }
        let kind: Kind
        if case .bool(true)? = object["forgotten"] {
            kind = .forgotten
        } else if case let .array(items)? = object["partners"] {
            var partners: [Partner] = []
            partners.reserveCapacity(items.count)
            for item in items {
                guard case let .array(fields) = item, fields.count == 3, case let .string(partner) = fields[0],
                      let partnerLon = Self.number(fields[1]), let partnerLat = Self.number(fields[2])
                else { throw NearbyObservationError(message: "a partner is not [id, lon, lat]", json: output.json) }
                partners.append(Partner(id: partner, point: Point(lon: partnerLon, lat: partnerLat)))
            }
            kind = .moved(partners: partners)
        } else {
            throw NearbyObservationError(message: "neither partners nor forgotten", json: output.json)
        }
        self.init(t: output.t, object: id, point: Point(lon: lon, lat: lat), props: props, kind: kind)
    }

    private static func number(_ value: JSONValue?) -> Double? {
        switch value {
        case let .double(number)?: number
        case let .integer(number)?: Double(number)
        default: nil
        }
    }
}

/// A result reached the nearby publisher that is not an observation a nearby worker writes (a
/// stage mix-up or a corrupted frame); the publisher passes it through unchanged and visible.
public struct NearbyObservationError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var json: String

    public var description: String { "nearby observation: \(message) in \(json.prefix(200))" }
}
