public import GeoCore
public import Wire

/// One live query (`geostream query`), as a client sends it to the gateway and the gateway forwards
/// it to every worker of the query stage.
///
/// On the wire it is one JSON object (`json`): `{"verb":"within","geometry":<GeoJSON>}`,
/// `{"verb":"intersects","bbox":[minLon,minLat,maxLon,maxLat]}`,
/// `{"verb":"radius","lon":..,"lat":..,"metres":..}` or `{"verb":"nearest","lon":..,"lat":..,"k":..}`,
/// each with optional `"where":{"key":"text",...}` and `"timeout_ms"`. Text is the contract so any
/// language's ZeroMQ REQ socket can ask; `init(json:)` refuses anything else with a `QueryError`.
public struct QueryRequest: Hashable, Sendable {
    public enum Shape: Hashable, Sendable {
        /// Events whose geometry lies within the region (boundaries may touch).
        case within(Geometry)
        /// Events whose geometry intersects the rect (edges count).
        case intersects(Rect)
        /// Events within `metres` (haversine; a polygon by its nearest point, 0 inside).
        case radius(Point, metres: Double)
        /// The `k` events nearest to the point over every worker.
        case nearest(Point, k: Int)

        public var verb: String {
            switch self {
            case .within: "within"
            case .intersects: "intersects"
            case .radius: "radius"
            case .nearest: "nearest"
            }
        }
    }

    public static let defaultTimeoutMilliseconds: Int64 = 2_000

    public var shape: Shape
    /// `--where key=value`: every pair must match (see `QueryFilter`).
    public var filter: QueryFilter
    /// How long the gateway waits for every worker.
    public var timeoutMilliseconds: Int64

    public init(_ shape: Shape, filter: QueryFilter = QueryFilter(), timeoutMilliseconds: Int64 = QueryRequest.defaultTimeoutMilliseconds) {
        self.shape = shape
        self.filter = filter
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    public var json: String {
        var out = "{\"verb\":\"\(shape.verb)\""
        switch shape {
        case let .within(region):
            out += ",\"geometry\":" + JSONWriter.renderGeoJSON(region)
        case let .intersects(rect):
            out += ",\"bbox\":["
            for (index, value) in [rect.minX, rect.minY, rect.maxX, rect.maxY].enumerated() {
                if index > 0 { out += "," }
                JSONWriter.appendDouble(value, to: &out)
            }
            out += "]"
        case let .radius(center, metres):
            out += ",\"lon\":\(center.lon),\"lat\":\(center.lat),\"metres\":"
            JSONWriter.appendDouble(metres, to: &out)
        case let .nearest(center, k):
            out += ",\"lon\":\(center.lon),\"lat\":\(center.lat),\"k\":\(k)"
        }
        if !filter.pairs.isEmpty {
            out += ",\"where\":"
            JSONWriter.append(.object(JSONObject(filter.pairs.map { JSONMember($0.key, .string($0.value)) })), to: &out)
        }
        out += ",\"timeout_ms\":\(timeoutMilliseconds)}"
        return out
    }

    /// Reads a request; the error says what is missing or wrong in words a client author can act on.
    public init(json bytes: UnsafeRawBufferPointer) throws(QueryError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            throw QueryError("malformed request: \(error)")
        }
        guard case let .object(object) = value else { throw QueryError("malformed request: expected a JSON object") }
        guard case let .string(verb)? = object["verb"] else {
            throw QueryError("malformed request: \"verb\" must be one of within, intersects, radius, nearest")
        }
        switch verb {
        case "within":
            guard let geometry = object["geometry"] else { throw QueryError("malformed request: within needs \"geometry\" (GeoJSON)") }
            shape = .within(try GeoJSONRegion.geometry(from: geometry))
        case "intersects":
            guard case let .array(items)? = object["bbox"], items.count == 4 else {
                throw QueryError("malformed request: intersects needs \"bbox\": [minLon, minLat, maxLon, maxLat]")
            }
            let numbers = try items.map { item throws(QueryError) in try Self.number(item, "bbox") }
            guard numbers[0] <= numbers[2], numbers[1] <= numbers[3] else {
                throw QueryError("malformed request: bbox min must not exceed max, got \(numbers)")
            }
            shape = .intersects(Rect(minX: numbers[0], minY: numbers[1], maxX: numbers[2], maxY: numbers[3]))
        case "radius":
            let metres = try Self.number(object["metres"], "metres")
            guard metres >= 0 else { throw QueryError("malformed request: metres must be >= 0, got \(metres)") }
            shape = .radius(try Self.point(object), metres: metres)
        case "nearest":
            guard case let .integer(k)? = object["k"], k > 0, k <= 100_000 else {
                throw QueryError("malformed request: nearest needs \"k\", an integer 1...100000")
            }
            shape = .nearest(try Self.point(object), k: Int(k))
        default:
            throw QueryError("malformed request: unknown verb '\(verb)'; use within, intersects, radius or nearest")
        }
        filter = QueryFilter()
        if let conditions = object["where"] {
            guard case let .object(pairs) = conditions else { throw QueryError("malformed request: \"where\" must be an object of strings") }
            for member in pairs.members {
                guard case let .string(text) = member.value else {
                    throw QueryError("malformed request: where.\(member.key) must be a string")
                }
                filter.pairs.append((member.key, text))
            }
        }
        timeoutMilliseconds = Self.defaultTimeoutMilliseconds
        if let timeout = object["timeout_ms"] {
            guard case let .integer(milliseconds) = timeout, milliseconds > 0, milliseconds <= 600_000 else {
                throw QueryError("malformed request: timeout_ms must be an integer 1...600000")
            }
            timeoutMilliseconds = milliseconds
        }
    }

    public init(json text: String) throws(QueryError) {
        var copy = text
        let result: Result<QueryRequest, QueryError> = copy.withUTF8 { utf8 in
            do throws(QueryError) {
                return .success(try QueryRequest(json: UnsafeRawBufferPointer(utf8)))
            } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    private static func number(_ value: JSONValue?, _ name: String) throws(QueryError) -> Double {
        switch value {
        case let .integer(number)?: return Double(number)
        case let .double(number)?: return number
        default: throw QueryError("malformed request: \"\(name)\" must be a number")
        }
    }

    private static func point(_ object: JSONObject) throws(QueryError) -> Point {
        let lon = try number(object["lon"], "lon")
        let lat = try number(object["lat"], "lat")
        guard (-180...180).contains(lon), (-90...90).contains(lat) else {
            throw QueryError("malformed request: lon \(lon), lat \(lat) is not a WGS84 position")
        }
        return Point(lon: lon, lat: lat)
    }

    public static func == (lhs: QueryRequest, rhs: QueryRequest) -> Bool {
        lhs.json == rhs.json
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(json) }
}

/// `--where key=value` conditions: an event matches when, for every pair, its prop `key` exists and
/// reads as `value` — a string prop as its text, any other prop as its compact JSON (`7`, `true`,
/// `2.5`). So `--where type=truck` and `--where axles=3` both do what they say.
public struct QueryFilter: Sendable {
    public var pairs: [(key: String, value: String)]

    public init(_ pairs: [(key: String, value: String)] = []) {
        self.pairs = pairs
    }

    public func matches(_ props: JSONObject) -> Bool {
        for pair in pairs {
            guard let value = props[pair.key] else { return false }
            if case let .string(text) = value {
                if text != pair.value { return false }
            } else if JSONWriter.render(value) != pair.value {
                return false
            }
        }
        return true
    }
}

/// A query that could not be answered: malformed, a worker missing, or no gateway. The message is
/// what `geostream query` prints.
public struct QueryError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
