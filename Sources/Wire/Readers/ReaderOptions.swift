/// The input encodings a reader understands.
///
/// `geojsonseq` covers both RFC 8142 text sequences (records prefixed by 0x1E) and newline-delimited
/// GeoJSON (one Feature per line); the same reader handles both and a mix of them.
public enum InputFormat: String, CaseIterable, Sendable {
    case csv
    case geojson
    case geojsonseq
}

/// A CSV column that has a meaning to the reader; every other column becomes a property.
public enum CSVField: String, CaseIterable, Sendable {
    case id, t, lon, lat, wkt, role
}

/// How a bare number is read as a time.
///
/// `.auto` reads a number whose magnitude is below 10^11 as epoch seconds and anything larger as
/// epoch milliseconds (10^11 ms is 1973-03-03, 10^11 s is the year 5138), so both common encodings
/// of present-day times work without configuration. Data with millisecond times before 1973 (tests
/// with small synthetic times) must say `.milliseconds`.
public enum TimeUnit: String, CaseIterable, Sendable {
    case auto
    case seconds
    case milliseconds
}

/// CSV layout: which header names hold the meaningful fields, and the delimiter.
public struct CSVOptions: Hashable, Sendable {
    /// Header name per field; a field missing here uses its own name (`id`, `t`, `lon`, ...).
    public var columns: [CSVField: String]
    /// One ASCII byte; `,` by default, `;` or tab for other dialects. Never `"`, CR or LF.
    public var delimiter: UInt8

    public init(columns: [CSVField: String] = [:], delimiter: UInt8 = UInt8(ascii: ",")) {
        self.columns = columns
        self.delimiter = delimiter
    }

    /// Reads a mapping as the CLI spells it: `id=vehicle,t=ts` (field = header name).
    ///
    /// Unknown fields, empty names and a field given twice are errors naming the offending part.
    public init(mapping: String, delimiter: UInt8 = UInt8(ascii: ",")) throws(ReaderError) {
        var columns: [CSVField: String] = [:]
        for part in mapping.split(separator: ",", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let fieldName = pieces[0].trimmingSpaces
            guard pieces.count == 2, !pieces[1].trimmingSpaces.isEmpty else {
                throw ReaderError(code: .badOptions, message: "column mapping '\(part)' is not field=header")
            }
            guard let field = CSVField(rawValue: fieldName) else {
                let known = CSVField.allCases.map(\.rawValue).joined(separator: ", ")
                throw ReaderError(code: .badOptions,
                                  message: "column mapping '\(part)': unknown field '\(fieldName)' (known: \(known))")
            }
            guard columns[field] == nil else {
                throw ReaderError(code: .badOptions, message: "column mapping names field '\(fieldName)' twice")
            }
            columns[field] = pieces[1].trimmingSpaces
        }
        self.init(columns: columns, delimiter: delimiter)
    }

    public func headerName(for field: CSVField) -> String {
        columns[field] ?? field.rawValue
    }
}

/// Everything a reader needs besides the bytes.
public struct ReaderOptions: Sendable {
    /// nil detects the format from the first bytes (see `FormatDetector`).
    public var format: InputFormat?
    public var csv: CSVOptions
    /// Names the input in every rejection: a path, "stdin", an endpoint.
    public var source: String
    /// GeoJSON property (CSV: the `role` column) saying whether a polygon is an `object` or a `fence`.
    public var roleProperty: String
    /// Role of a polygon whose input does not say.
    public var defaultRole: PolygonEvent.Role
    /// Time given to records without one (static fence files); nil makes a missing time a rejection.
    public var defaultTime: Int64?
    public var timeUnit: TimeUnit
    /// Longest CSV record or GeoJSON text-sequence line; a longer one is rejected, not buffered.
    public var maxRecordBytes: Int
    /// Longest single Feature inside a FeatureCollection (polygons can be large).
    public var maxFeatureBytes: Int
    /// Deepest JSON nesting accepted; a MultiPolygon needs 6 inside a Feature in a collection.
    public var maxDepth: Int
    /// Longest decoded JSON string (keys and values).
    public var maxStringBytes: Int

    public init(
        format: InputFormat? = nil,
        csv: CSVOptions = CSVOptions(),
        source: String = "input",
        roleProperty: String = "role",
        defaultRole: PolygonEvent.Role = .object,
        defaultTime: Int64? = nil,
        timeUnit: TimeUnit = .auto,
        maxRecordBytes: Int = 1 << 20,
        maxFeatureBytes: Int = 16 << 20,
        maxDepth: Int = 64,
        maxStringBytes: Int = 64 << 10
    ) {
        self.format = format
        self.csv = csv
        self.source = source
        self.roleProperty = roleProperty
        self.defaultRole = defaultRole
        self.defaultTime = defaultTime
        self.timeUnit = timeUnit
        self.maxRecordBytes = maxRecordBytes
        self.maxFeatureBytes = maxFeatureBytes
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
    }
}

/// One reader output, in input order.
public enum ReadItem: Hashable, Sendable {
    case event(InputEvent)
    case rejected(Rejection)
}

/// A problem with the whole input rather than one record: reading cannot go on.
///
/// Thrown by `EventReader` for a CSV header without the required columns, a FeatureCollection whose
/// structure is broken outside any Feature, or bad options. Bad records are `Rejection`s instead.
public struct ReaderError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Code: String, Hashable, Sendable {
        case badOptions
        case badHeader
        case malformedCollection
        case truncated
    }

    public var code: Code
    public var message: String
    public var line: Int?
    public var offset: Int?

    public init(code: Code, message: String, line: Int? = nil, offset: Int? = nil) {
        self.code = code
        self.message = message
        self.line = line
        self.offset = offset
    }

    public var description: String {
        let place = line.map { "line \($0): " } ?? offset.map { "byte \($0): " } ?? ""
        return "\(code.rawValue): \(place)\(message)"
    }
}

extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` that keeps a typed error (the standard one is untyped `rethrows`).
    func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = withUnsafeBytes { bytes in
            do throws(E) {
                return .success(try body(bytes))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}
