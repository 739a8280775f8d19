import GeoCore

/// Coordinates as nested in GeoJSON: a position, or an array of deeper coordinates.
enum CoordinateTree {
    case position(Point)
    case list([CoordinateTree])
}

/// Reads one GeoJSON Feature (complete in memory) into events, or says why it cannot.
///
/// id: Feature `id` (string, or number written as text), else `properties.id`. Time: the first of
/// `properties.t`, `time`, `timestamp` that is present and not null, a number (per `TimeUnit`) or a
/// string (`TimeParser`). Polygons take their role from `properties.<roleProperty>`. The properties
/// that supplied id, time and role are left out of `props`; the rest keep their order. MultiPoint
/// gives one point event per position, all with the same id, time and props.
struct GeoJSONFeatureReader {
    let options: ReaderOptions
    let limits: JSONLimits
    /// Ids repeat from Feature to Feature: each distinct one becomes a String once.
    private var ids = TextInterner()
    /// The role property's name as bytes, or nil when properties must be handled generically (see `FeatureProperties`).
    private let roleKey: [UInt8]?

    init(options: ReaderOptions) {
        self.options = options
        self.limits = JSONLimits(maxDepth: options.maxDepth, maxStringBytes: options.maxStringBytes)
        let role = options.roleProperty
        let plain = role.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } && !["id", "t", "time", "timestamp"].contains(role)
        self.roleKey = plain ? Array(role.utf8) : nil
    }

    /// `offset` is the feature's absolute byte offset, used in rejections and syntax error positions.
    mutating func read(_ bytes: UnsafeRawBufferPointer, offset: Int, line: Int?, depth: Int, _ sink: (ReadItem) -> Void) {
        func reject(_ reason: String) {
            sink(.rejected(Rejection(source: options.source, line: line, offset: offset, reason: reason, raw: bytes)))
        }
        var parsed = ParsedFeature(properties: FeatureProperties(roleProperty: options.roleProperty, generic: roleKey == nil))
        do {
            var scanner = JSONScanner(bytes, limits: limits)
            guard scanner.peek() == UInt8(ascii: "{") else {
                return reject("expected a Feature object, found \(scanner.describeHere())")
            }
            try parsed.read(&scanner, depth: depth, roleKey: roleKey, ids: &ids)
            try scanner.expectEnd()
        } catch {
            return reject("invalid JSON at byte \(offset + error.offset): \(error.message)")
        }
        emit(&parsed, bytes, offset: offset, line: line, sink)
    }

    /// Reads the Feature at the start of `rest` (a chunk from there on), when it is valid JSON that ends
    /// within `rest` and within `maxBytes`: then emits as `read` would and returns its length. Otherwise
    /// returns nil having emitted nothing, and the caller frames the Feature and calls `read`, which
    /// gives the same result for a valid Feature and the proper rejection for any other.
    mutating func readInPlace(_ rest: UnsafeRawBufferPointer, offset: Int, depth: Int, maxBytes: Int,
                              _ sink: (ReadItem) -> Void) -> Int? {
        var parsed = ParsedFeature(properties: FeatureProperties(roleProperty: options.roleProperty, generic: roleKey == nil))
        var scanner = JSONScanner(rest, limits: limits)
        guard scanner.peek() == UInt8(ascii: "{") else { return nil }
        do {
            try parsed.read(&scanner, depth: depth, roleKey: roleKey, ids: &ids)
        } catch {
            return nil
        }
        let end = scanner.index
        guard end <= maxBytes else { return nil }
        emit(&parsed, UnsafeRawBufferPointer(rebasing: rest[..<end]), offset: offset, line: nil, sink)
        return end
    }

    private func emit(_ parsed: inout ParsedFeature, _ bytes: UnsafeRawBufferPointer, offset: Int, line: Int?, _ sink: (ReadItem) -> Void) {
        func reject(_ reason: String) {
            sink(.rejected(Rejection(source: options.source, line: line, offset: offset, reason: reason, raw: bytes)))
        }
        if let problem = parsed.problem { return reject(problem) }
        guard parsed.type == "Feature" else {
            return reject(parsed.type.map { "type is '\($0)', expected 'Feature'" } ?? "not a Feature: no \"type\" member")
        }
        guard parsed.hasGeometry else { return reject("Feature has no \"geometry\" member") }

        guard let id = takeID(parsed.id, &parsed.properties, reject) else { return }
        guard let t = takeTime(&parsed.properties, reject) else { return }

        guard let type = parsed.geometryType else {
            // geometry: null — only a fence removal makes sense.
            guard let role = takeRole(&parsed.properties, reject) else { return }
            guard role == .fence else { return reject("Feature has a null geometry (allowed only for role fence: removal)") }
            return sink(.event(.polygon(PolygonEvent(id: id, t: t, geometry: nil, role: role, props: parsed.properties.object()))))
        }
        let coordinates = parsed.coordinates
        switch type {
        case "Point":
            guard case .position(let point)? = coordinates else {
                return reject("Point coordinates must be one position [lon, lat]")
            }
            guard let point = checked(point, reject) else { return }
            sink(.event(.point(PointEvent(id: id, t: t, point: point, props: parsed.properties.object()))))
        case "MultiPoint":
            guard case .list(let items)? = coordinates, let points = positions(items) else {
                return reject("MultiPoint coordinates must be an array of positions")
            }
            guard !points.isEmpty else { return reject("MultiPoint has no positions") }
            var valid: [Point] = []
            for point in points {
                guard let point = checked(point, reject) else { return }
                valid.append(point)
            }
            let object = parsed.properties.object()
            for point in valid { sink(.event(.point(PointEvent(id: id, t: t, point: point, props: object)))) }
        case "Polygon", "MultiPolygon":
            guard let role = takeRole(&parsed.properties, reject) else { return }
            let shape: WKTShape
            if type == "Polygon" {
                guard case .list(let items)? = coordinates, let rings = rings(items) else {
                    return reject("Polygon coordinates must be an array of rings (arrays of positions)")
                }
                shape = rings.isEmpty ? .empty : .polygon(rings)
            } else {
                guard case .list(let items)? = coordinates else {
                    return reject("MultiPolygon coordinates must be an array of polygons")
                }
                var polygons: [[[Point]]] = []
                for item in items {
                    guard case .list(let ringItems) = item, let rings = rings(ringItems) else {
                        return reject("MultiPolygon coordinates must be an array of polygons (arrays of rings)")
                    }
                    guard !rings.isEmpty else { return reject("MultiPolygon part \(polygons.count) has no rings") }
                    polygons.append(rings)
                }
                shape = polygons.isEmpty ? .empty : .multiPolygon(polygons)
            }
            let geometry: Geometry?
            do {
                geometry = try shape.geometry()
            } catch {
                return reject("invalid \(type): \(error)")
            }
            guard geometry != nil || role == .fence else {
                return reject("\(type) is empty (allowed only for role fence: removal)")
            }
            sink(.event(.polygon(PolygonEvent(id: id, t: t, geometry: geometry, role: role, props: parsed.properties.object()))))
        default:
            reject("geometry type '\(type)' is not supported (Point, MultiPoint, Polygon, MultiPolygon)")
        }
    }

    private func checked(_ point: Point, _ reject: (String) -> Void) -> Point? {
        guard abs(point.lon) <= 180 else { reject("lon \(point.lon) is outside [-180, 180]"); return nil }
        guard abs(point.lat) <= 90 else { reject("lat \(point.lat) is outside [-90, 90]"); return nil }
        return point
    }

    private func positions(_ items: [CoordinateTree]) -> [Point]? {
        var points: [Point] = []
        points.reserveCapacity(items.count)
        for item in items {
            guard case .position(let point) = item else { return nil }
            points.append(point)
        }
        return points
    }

    private func rings(_ items: [CoordinateTree]) -> [[Point]]? {
        var rings: [[Point]] = []
        for item in items {
            guard case .list(let ring) = item, let points = positions(ring) else { return nil }
            rings.append(points)
        }
        return rings
    }

    private func takeID(_ featureID: JSONValue?, _ props: inout FeatureProperties, _ reject: (String) -> Void) -> String? {
        let fromProperties = props.value(of: .id)
        props.remove(.id)
        let source = featureID ?? fromProperties
        switch source {
        case .string(let text)?:
            if text.isEmpty { reject("id is empty"); return nil }
            return text
        case .integer(let value)?: return String(value)
        case .double(let value)?: return String(describing: value)
        case nil, .null?:
            reject("missing id (Feature \"id\" or properties.id)")
            return nil
        default:
            reject("id must be a string or a number")
            return nil
        }
    }

    private func takeTime(_ props: inout FeatureProperties, _ reject: (String) -> Void) -> Int64? {
        for kind in [FeatureProperties.Kind.t, .time, .timestamp] {
            guard let value = props.value(of: kind), value != .null else { continue }
            props.remove(kind)
            let t: Int64?
            switch value {
            case .integer(let number): t = TimeParser.time(fromInteger: number, unit: options.timeUnit)
            case .double(let number): t = TimeParser.time(fromDouble: number, unit: options.timeUnit)
            case .string(let text): t = TimeParser.parse(text, unit: options.timeUnit)
            default: t = nil
            }
            guard let t else {
                reject("properties.\(props.name(of: kind)): cannot read time \(Self.describe(value)) (expected epoch ms, epoch seconds or ISO-8601)")
                return nil
            }
            return t
        }
        if let defaultTime = options.defaultTime { return defaultTime }
        reject("missing time (properties.t, time or timestamp)")
        return nil
    }

    private func takeRole(_ props: inout FeatureProperties, _ reject: (String) -> Void) -> PolygonEvent.Role? {
        let key = options.roleProperty
        guard let value = props.value(of: .role), value != .null else { return options.defaultRole }
        props.remove(.role)
        guard case .string(let text) = value, let role = PolygonEvent.Role(rawValue: text) else {
            reject("properties.\(key): \(Self.describe(value)) is not \"object\" or \"fence\"")
            return nil
        }
        return role
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return "\"\(text.prefix(60))\""
        case .integer(let number): return String(number)
        case .double(let number): return String(describing: number)
        case .bool(let flag): return String(flag)
        case .null: return "null"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// The members of a Feature that matter, read in one pass whatever their order.
private struct ParsedFeature {
    var type: String?
    var id: JSONValue?
    var hasGeometry = false
    var geometryType: String?
    var coordinates: CoordinateTree?
    var properties: FeatureProperties
    /// A structural problem found while reading (not a syntax error): reported after parsing.
    var problem: String?

    init(properties: FeatureProperties) {
        self.properties = properties
    }

    mutating func read(_ scanner: inout JSONScanner, depth: Int, roleKey: [UInt8]?, ids: inout TextInterner) throws(JSONSyntaxError) {
        try scanner.readObjectKeys(depth: depth + 1) { (scanner, key) throws(JSONSyntaxError) in
            switch true {
            case key.matches("type"):
                let value = try Self.readTypeName(&scanner, depth: depth + 1)
                if case .string(let text) = value { type = text } else { type = GeoJSONFeatureReader.describe(value) }
            case key.matches("id"):
                id = try Self.readID(&scanner, depth: depth + 1, ids: &ids)
            case key.matches("properties"):
                switch scanner.peek() {
                case UInt8(ascii: "{"):
                    // As `readValue` would nest it: the object one level down, its values one more.
                    var read = FeatureProperties(roleProperty: properties.roleProperty, generic: roleKey == nil)
                    try scanner.readObjectKeys(depth: depth + 2) { (scanner, key) throws(JSONSyntaxError) in
                        let kind = Self.kind(of: key, roleKey: roleKey)
                        let value = kind == .id
                            ? try Self.readID(&scanner, depth: depth + 2, ids: &ids)
                            : try scanner.readValue(depth: depth + 2)
                        read.append(key, kind: kind, value)
                    }
                    properties = read
                case UInt8(ascii: "n"):
                    if try scanner.readValue(depth: depth + 1) == .null {
                        properties = FeatureProperties(roleProperty: properties.roleProperty, generic: roleKey == nil)
                    } else {
                        problem = problem ?? "properties must be an object or null"
                    }
                default:
                    _ = try scanner.readValue(depth: depth + 1)
                    problem = problem ?? "properties must be an object or null"
                }
            case key.matches("geometry"):
                hasGeometry = true
                if scanner.peek() == UInt8(ascii: "n") {
                    _ = try scanner.readValue(depth: depth + 1)
                } else if scanner.peek() == UInt8(ascii: "{") {
                    try readGeometry(&scanner, depth: depth + 1)
                } else {
                    _ = try scanner.readValue(depth: depth + 1)
                    problem = problem ?? "geometry must be an object or null"
                }
            default:
                _ = try scanner.readValue(depth: depth + 1)
            }
        }
    }

    /// Which held property `key` names, if any; with no `roleKey` (generic handling) none is held.
    private static func kind(of key: JSONKey, roleKey: [UInt8]?) -> FeatureProperties.Kind? {
        guard let roleKey else { return nil }
        if key.decoded == nil {
            switch key.bytes.count {
            case 1 where key.matches("t"): return .t
            case 2 where key.matches("id"): return .id
            case 4 where key.matches("time"): return .time
            case 9 where key.matches("timestamp"): return .timestamp
            default:
                guard key.bytes.count == roleKey.count else { return nil }
                return roleKey.withUnsafeBytes { $0.elementsEqual(key.bytes) } ? .role : nil
            }
        }
        if key.matches("t") { return .t }
        if key.matches("id") { return .id }
        if key.matches("time") { return .time }
        if key.matches("timestamp") { return .timestamp }
        return key.decoded == String(decoding: roleKey, as: UTF8.self) ? .role : nil
    }

    /// A `type` value: the GeoJSON type names, written plainly, are matched as bytes and give a
    /// String literal (no decoding); anything else is read as usual.
    private static func readTypeName(_ scanner: inout JSONScanner, depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard scanner.peek() == UInt8(ascii: "\""), let raw = scanner.readPlainStringBytes() else {
            return try scanner.readValue(depth: depth)
        }
        let quote = raw.baseAddress.map { $0 - scanner.bytes.baseAddress! - 1 } ?? scanner.index - 2
        switch raw.count {
        case 7 where JSONKey(bytes: raw, decoded: nil).matches("Feature"): return .string("Feature")
        case 5 where JSONKey(bytes: raw, decoded: nil).matches("Point"): return .string("Point")
        case 7 where JSONKey(bytes: raw, decoded: nil).matches("Polygon"): return .string("Polygon")
        case 10 where JSONKey(bytes: raw, decoded: nil).matches("MultiPoint"): return .string("MultiPoint")
        case 12 where JSONKey(bytes: raw, decoded: nil).matches("MultiPolygon"): return .string("MultiPolygon")
        default:
            guard let text = UTF8Text.string(raw) else { throw scanner.error("string is not valid UTF-8", at: quote) }
            return .string(text)
        }
    }

    /// A value that may be an id: a plain string is interned, anything else read as usual.
    private static func readID(_ scanner: inout JSONScanner, depth: Int, ids: inout TextInterner) throws(JSONSyntaxError) -> JSONValue {
        guard scanner.peek() == UInt8(ascii: "\"") else { return try scanner.readValue(depth: depth) }
        let quote = scanner.index
        guard let raw = scanner.readPlainStringBytes() else { return try scanner.readValue(depth: depth) }
        guard let text = ids.string(raw) else { throw scanner.error("string is not valid UTF-8", at: quote) }
        return .string(text)
    }

    private mutating func readGeometry(_ scanner: inout JSONScanner, depth: Int) throws(JSONSyntaxError) {
        var sawType = false
        try scanner.readObjectKeys(depth: depth + 1) { (scanner, key) throws(JSONSyntaxError) in
            switch true {
            case key.matches("type"):
                sawType = true
                if case .string(let text) = try Self.readTypeName(&scanner, depth: depth + 1) {
                    geometryType = text
                } else {
                    problem = problem ?? "geometry type must be a string"
                }
            case key.matches("coordinates"):
                coordinates = try Self.readCoordinates(&scanner, depth: depth + 1)
            default:
                _ = try scanner.readValue(depth: depth + 1)
            }
        }
        if !sawType { problem = problem ?? "geometry has no \"type\"" }
        if sawType, geometryType != nil, coordinates == nil,
           ["Point", "MultiPoint", "Polygon", "MultiPolygon"].contains(geometryType!) {
            problem = problem ?? "\(geometryType!) geometry has no \"coordinates\""
        }
    }

    /// Numbers at the innermost level form a position (extra ordinates such as altitude are dropped).
    private static func readCoordinates(_ scanner: inout JSONScanner, depth: Int) throws(JSONSyntaxError) -> CoordinateTree {
        guard depth + 1 <= scanner.limits.maxDepth else { throw scanner.error("nesting deeper than \(scanner.limits.maxDepth)") }
        let start = scanner.index
        try scanner.expect(UInt8(ascii: "["))
        guard let next = scanner.peek() else { throw scanner.error("unterminated array") }
        if next == UInt8(ascii: "[") || next == UInt8(ascii: "]") {
            scanner.index = start
            var items: [CoordinateTree] = []
            try scanner.readArray(depth: depth + 1) { (scanner) throws(JSONSyntaxError) in
                guard scanner.peek() == UInt8(ascii: "[") else { throw scanner.error("expected a coordinate array, found \(scanner.describeHere())") }
                items.append(try readCoordinates(&scanner, depth: depth + 1))
            }
            return .list(items)
        }
        var ordinates = 0
        var x = 0.0, y = 0.0
        while true {
            let value = try scanner.readDouble()
            if ordinates == 0 { x = value } else if ordinates == 1 { y = value }
            ordinates += 1
            switch scanner.peek() {
            case UInt8(ascii: ","): scanner.index += 1
            case UInt8(ascii: "]"):
                scanner.index += 1
                guard ordinates >= 2 else { throw scanner.error("a position needs at least 2 numbers", at: start) }
                return .position(Point(lon: x, lat: y))
            default: throw scanner.error("expected ',' or ']' in a position, found \(scanner.describeHere())")
            }
        }
    }
}
