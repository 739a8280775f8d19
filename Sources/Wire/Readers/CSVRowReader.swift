import GeoCore

/// Reads one framed CSV record into an event, given the header's column layout.
struct CSVRowReader {
    /// Where a field sits in its record; quoted fields exclude the quotes and keep doubled quotes.
    private struct FieldRange {
        var start: Int
        var end: Int
        var quoted: Bool
    }

    private let options: ReaderOptions
    private let delimiter: UInt8
    private let names: [String]
    private let idColumn: Int
    private let timeColumn: Int
    private let lonColumn: Int?
    private let latColumn: Int?
    private let wktColumn: Int?
    private let roleColumn: Int?
    /// Columns that become props, in header order, with their keys.
    private let propColumns: [(index: Int, key: String)]
    private var fields: [FieldRange] = []

    /// Reads the header; a missing required column or a repeated name is fatal for the input.
    init(header: UnsafeRawBufferPointer, line: Int, options: ReaderOptions) throws(ReaderError) {
        self.options = options
        self.delimiter = options.csv.delimiter
        var ranges: [FieldRange] = []
        if let problem = Self.split(header, delimiter: delimiter, into: &ranges) {
            throw ReaderError(code: .badHeader, message: "header: \(problem)", line: line)
        }
        let names = ranges.map { range in
            Self.withField(header, range) { bytes in
                String(decoding: bytes, as: UTF8.self)
            }.trimmingHeaderSpaces()
        }
        self.names = names
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw ReaderError(code: .badHeader, message: "header names column '\(name)' twice", line: line)
        }
        func column(_ field: CSVField) -> Int? {
            names.firstIndex(of: options.csv.headerName(for: field))
        }
        func required(_ field: CSVField) throws(ReaderError) -> Int {
            guard let index = column(field) else {
                throw ReaderError(code: .badHeader,
                                  message: "header has no '\(options.csv.headerName(for: field))' column for \(field.rawValue) "
                                      + "(columns: \(names.joined(separator: ",")); map one with --columns \(field.rawValue)=NAME)",
                                  line: line)
            }
            return index
        }
        idColumn = try required(.id)
        timeColumn = options.defaultTime == nil ? try required(.t) : (column(.t) ?? -1)
        wktColumn = column(.wkt)
        roleColumn = column(.role)
        if wktColumn == nil {
            lonColumn = try required(.lon)
            latColumn = try required(.lat)
        } else {
            lonColumn = column(.lon)
            latColumn = column(.lat)
        }
        let mapped = Set([idColumn, timeColumn, lonColumn, latColumn, wktColumn, roleColumn].compactMap { $0 })
        propColumns = names.indices.filter { !mapped.contains($0) }.map { ($0, names[$0]) }
    }

    mutating func read(_ record: UnsafeRawBufferPointer, line: Int, _ sink: (ReadItem) -> Void) {
        func reject(_ reason: String) {
            sink(.rejected(Rejection(source: options.source, line: line, reason: reason, raw: record)))
        }
        if let problem = Self.split(record, delimiter: delimiter, into: &fields) {
            return reject(problem)
        }
        guard fields.count == names.count else {
            return reject("expected \(names.count) columns (\(names.joined(separator: ","))), found \(fields.count)")
        }
        let idRange = fields[idColumn]
        guard idRange.end > idRange.start else { return reject("missing id (column '\(names[idColumn])')") }
        guard let id = Self.withField(record, idRange, { UTF8Text.string($0) }) else {
            return reject("column '\(names[idColumn])': id is not valid UTF-8")
        }
        let t: Int64
        if timeColumn >= 0, fields[timeColumn].end > fields[timeColumn].start {
            let unit = options.timeUnit
            guard let parsed = Self.withField(record, fields[timeColumn], { TimeParser.parse($0, unit: unit) }) else {
                return reject("column '\(names[timeColumn])': cannot read time '\(text(record, fields[timeColumn]))' "
                    + "(expected epoch ms, epoch seconds or ISO-8601)")
            }
            t = parsed
        } else if let defaultTime = options.defaultTime {
            t = defaultTime
        } else {
            return reject("missing time (column '\(names[timeColumn])')")
        }
        var props = JSONObject()
        if !propColumns.isEmpty {
            props.members.reserveCapacity(propColumns.count)
            for (index, key) in propColumns {
                let range = fields[index]
                guard range.end > range.start else { continue }
                guard let value = Self.withField(record, range, Self.propValue) else {
                    return reject("column '\(key)': value is not valid UTF-8")
                }
                props.members.append(JSONMember(key, value))
            }
        }

        if let wktColumn, fields[wktColumn].end > fields[wktColumn].start {
            readPolygon(record, id: id, t: t, props: props, wktColumn: wktColumn, reject: reject, sink)
            return
        }
        guard let lonColumn, let latColumn else {
            return reject("column '\(names[wktColumn!])' is empty and there are no lon/lat columns")
        }
        guard let lon = coordinate(record, lonColumn, limit: 180, reject),
              let lat = coordinate(record, latColumn, limit: 90, reject) else { return }
        sink(.event(.point(PointEvent(id: id, t: t, point: Point(lon: lon, lat: lat), props: props))))
    }

    private func readPolygon(_ record: UnsafeRawBufferPointer, id: String, t: Int64, props: JSONObject, wktColumn: Int,
                             reject: (String) -> Void, _ sink: (ReadItem) -> Void) {
        let name = names[wktColumn]
        var role = options.defaultRole
        if let roleColumn, fields[roleColumn].end > fields[roleColumn].start {
            let value = text(record, fields[roleColumn])
            guard let parsed = PolygonEvent.Role(rawValue: value) else {
                return reject("column '\(names[roleColumn])': role '\(value)' is not object or fence")
            }
            role = parsed
        }
        let shape: Result<WKTShape, WKTError> = Self.withField(record, fields[wktColumn]) { bytes in
            do throws(WKTError) { return .success(try WKTReader.read(bytes)) } catch { return .failure(error) }
        }
        let geometry: Geometry?
        do {
            geometry = try shape.get().geometry()
        } catch let error as WKTError {
            return reject("column '\(name)': \(error)")
        } catch let error as GeometryError {
            return reject("column '\(name)': invalid polygon: \(error)")
        } catch {
            return reject("column '\(name)': \(error)")
        }
        if geometry == nil, role != .fence {
            return reject("column '\(name)': EMPTY geometry is only meaningful for role fence (removal)")
        }
        sink(.event(.polygon(PolygonEvent(id: id, t: t, geometry: geometry, role: role, props: props))))
    }

    private func coordinate(_ record: UnsafeRawBufferPointer, _ column: Int, limit: Double,
                            _ reject: (String) -> Void) -> Double? {
        let range = fields[column]
        let name = names[column]
        guard range.end > range.start else {
            reject("missing \(column == lonColumn ? "lon" : "lat") (column '\(name)')")
            return nil
        }
        let parsed = Self.withField(record, range) { NumberParsing.double($0.trimmingSpaces()) }
        switch parsed {
        case .double(let value):
            guard abs(value) <= limit else {
                reject("column '\(name)': \(value) is outside [-\(Int(limit)), \(Int(limit))]")
                return nil
            }
            return value
        case .nonFinite:
            reject("column '\(name)': '\(text(record, range))' is not a finite number")
        case .integer, .invalid:
            reject("column '\(name)': '\(text(record, range))' is not a number")
        }
        return nil
    }

    /// A number when the text is a JSON number ("007" and "1e" stay text), else the text; nil if not UTF-8.
    private static func propValue(_ bytes: UnsafeRawBufferPointer) -> JSONValue? {
        switch NumberParsing.parse(bytes, strict: true) {
        case .integer(let value): return .integer(value)
        case .double(let value): return .double(value)
        case .nonFinite, .invalid: return UTF8Text.string(bytes).map(JSONValue.string)
        }
    }

    private func text(_ record: UnsafeRawBufferPointer, _ range: FieldRange) -> String {
        Self.withField(record, range) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the field's value, unescaping doubled quotes when the field has any.
    private static func withField<R>(_ record: UnsafeRawBufferPointer, _ range: FieldRange,
                                     _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let bytes = UnsafeRawBufferPointer(rebasing: record[range.start..<range.end])
        guard range.quoted, bytes.contains(UInt8(ascii: "\"")) else { return body(bytes) }
        var unescaped: [UInt8] = []
        unescaped.reserveCapacity(bytes.count)
        var k = 0
        while k < bytes.count {
            unescaped.append(bytes[k])
            k += bytes[k] == UInt8(ascii: "\"") ? 2 : 1
        }
        return unescaped.withUnsafeBytes(body)
    }

    /// Splits a record into fields; returns a problem description for text after a closing quote.
    private static func split(_ record: UnsafeRawBufferPointer, delimiter: UInt8, into fields: inout [FieldRange]) -> String? {
        fields.removeAll(keepingCapacity: true)
        let count = record.count
        var i = 0
        while true {
            if i < count, record[i] == UInt8(ascii: "\"") {
                let start = i + 1
                var k = start
                while k < count {
                    if record[k] == UInt8(ascii: "\"") {
                        if k + 1 < count, record[k + 1] == UInt8(ascii: "\"") { k += 2; continue }
                        break
                    }
                    k += 1
                }
                fields.append(FieldRange(start: start, end: min(k, count), quoted: true))
                i = k + 1
                if i < count, record[i] != delimiter {
                    return "column \(fields.count): text after the closing quote of a quoted field"
                }
            } else {
                let start = i
                while i < count, record[i] != delimiter { i += 1 }
                fields.append(FieldRange(start: start, end: i, quoted: false))
            }
            if i >= count { return nil }
            i += 1  // the delimiter
            if i == count {
                fields.append(FieldRange(start: i, end: i, quoted: false))
                return nil
            }
        }
    }
}

extension String {
    /// Header names tolerate spaces around them ("id, t, lon, lat").
    func trimmingHeaderSpaces() -> String {
        Substring(self).trimmingSpaces
    }
}
