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
    /// Bytes of the chunk after the record being read (0 on the general path, whose record may be a
    /// copy): lets number parsing load whole words that run past a field's end.
    private var readableAfterRecord = 0
    /// Ids repeat (AIS: ~1,000 vessels a day), so their Strings are made once.
    private var ids = TextInterner()

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

    /// Frames, splits and reads one record of `chunk` starting at `start` when that is simple: it ends
    /// in this chunk, no field starts with a quote, it has as many fields as the header, it is not
    /// blank or over `maxRecordBytes`.
    ///
    /// Returns the index just past the record's LF, or nil (having consumed and emitted nothing) when
    /// the record needs the general framer, which gives the same events and rejections.
    ///
    /// Scans 8 bytes at a time: one word test finds the delimiters, LF and quotes among them, so
    /// the bytes of ids, times and coordinates cost a fraction of an instruction each.
    mutating func readUnquotedRecord(_ chunk: UnsafeRawBufferPointer, from start: Int, line: Int,
                                     _ sink: (ReadItem) -> Void) -> Int? {
        let count = chunk.count
        guard start < count, let base = chunk.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        let columns = names.count
        if fields.count != columns {
            fields = [FieldRange](repeating: FieldRange(start: 0, end: 0, quoted: false), count: columns)
        }
        let delimiter = self.delimiter
        let quote = UInt8(ascii: "\"")
        // The LF ending the record, where its last field starts, and how many fields came before.
        let found: (newline: Int, lastField: Int, written: Int)? = fields.withUnsafeMutableBufferPointer { fields in
            let ones: UInt64 = 0x0101_0101_0101_0101
            let delimiters = UInt64(delimiter) &* ones
            let newlines = UInt64(0x0A) &* ones
            let quotes = UInt64(quote) &* ones
            var written = 0
            var fieldStart = start
            var p = start
            /// Handles the special byte at `q`; true when it ends the record.
            @inline(__always) func special(at q: Int) -> Bool? {
                let byte = base[q]
                if byte == delimiter {
                    // One field too many for the header: the general path words the rejection.
                    guard written < columns - 1 else { return nil }
                    fields[written] = FieldRange(start: fieldStart - start, end: q - start, quoted: false)
                    written += 1
                    fieldStart = q + 1
                    return false
                }
                if byte == 0x0A { return true }
                if byte == quote && q == fieldStart { return nil }
                return false
            }
            while true {
                if p + 8 <= count {
                    let word = UInt64(littleEndian: UnsafeRawPointer(base + p).loadUnaligned(as: UInt64.self))
                    var mask = Self.zeroBytes(word ^ delimiters) | Self.zeroBytes(word ^ newlines) | Self.zeroBytes(word ^ quotes)
                    while mask != 0 {
                        let q = p + mask.trailingZeroBitCount >> 3
                        mask &= mask &- 1
                        guard let ends = special(at: q) else { return nil }
                        if ends { return (q, fieldStart, written) }
                    }
                    p += 8
                } else {
                    guard p < count else { return nil }
                    let byte = base[p]
                    if byte == delimiter || byte == 0x0A || byte == quote {
                        guard let ends = special(at: p) else { return nil }
                        if ends { return (p, fieldStart, written) }
                    }
                    p += 1
                }
            }
        }
        guard let (newline, lastField, written) = found, written == columns - 1 else { return nil }
        var end = newline
        if end > start, base[end - 1] == 0x0D { end -= 1 }
        guard end > start, end - start <= options.maxRecordBytes, lastField <= end else { return nil }
        fields[columns - 1] = FieldRange(start: lastField - start, end: end - start, quoted: false)
        readableAfterRecord = count - end
        readFields(UnsafeRawBufferPointer(start: base + start, count: end - start), line: line, sink)
        readableAfterRecord = 0
        return newline + 1
    }

    /// Bytes of `word` that are 0 get their high bit set, the others 0 (exact: no borrow crosses bytes).
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 {
        ~(((word & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | word) & 0x8080_8080_8080_8080
    }

    mutating func read(_ record: UnsafeRawBufferPointer, line: Int, _ sink: (ReadItem) -> Void) {
        if let problem = Self.split(record, delimiter: delimiter, into: &fields) {
            return sink(.rejected(Rejection(source: options.source, line: line, reason: problem, raw: record)))
        }
        readFields(record, line: line, sink)
    }

    /// Reads the record split into `fields`.
    private mutating func readFields(_ record: UnsafeRawBufferPointer, line: Int, _ sink: (ReadItem) -> Void) {
        do throws(RowProblem) {
            sink(.event(try event(record)))
        } catch {
            sink(.rejected(Rejection(source: options.source, line: line, reason: error.reason, raw: record)))
        }
    }

    /// Why a record was rejected, thrown so the hot path builds no closures.
    private struct RowProblem: Error {
        var reason: String
        init(_ reason: String) { self.reason = reason }
    }

    private mutating func event(_ record: UnsafeRawBufferPointer) throws(RowProblem) -> InputEvent {
        guard fields.count == names.count else {
            throw RowProblem("expected \(names.count) columns (\(names.joined(separator: ","))), found \(fields.count)")
        }
        let idRange = fields[idColumn]
        guard idRange.end > idRange.start else { throw RowProblem("missing id (column '\(names[idColumn])')") }
        let id: String?
        if idRange.quoted {
            id = Self.withField(record, idRange) { UTF8Text.string($0) }
        } else {
            id = ids.string(Self.bytes(record, idRange))
        }
        guard let id else { throw RowProblem("column '\(names[idColumn])': id is not valid UTF-8") }
        let t: Int64
        if timeColumn >= 0, fields[timeColumn].end > fields[timeColumn].start {
            let unit = options.timeUnit
            let range = fields[timeColumn]
            let parsed = range.quoted
                ? Self.withField(record, range) { TimeParser.parse($0, unit: unit) }
                : TimeParser.parse(Self.bytes(record, range), unit: unit,
                                   readableBytes: record.count - range.start + readableAfterRecord)
            guard let parsed else {
                throw RowProblem("column '\(names[timeColumn])': cannot read time '\(text(record, range))' "
                    + "(expected epoch ms, epoch seconds or ISO-8601)")
            }
            t = parsed
        } else if let defaultTime = options.defaultTime {
            t = defaultTime
        } else {
            throw RowProblem("missing time (column '\(names[timeColumn])')")
        }
        var props = JSONObject()
        if !propColumns.isEmpty {
            props.members.reserveCapacity(propColumns.count)
            for (index, key) in propColumns {
                let range = fields[index]
                guard range.end > range.start else { continue }
                guard let value = Self.withField(record, range, Self.propValue) else {
                    throw RowProblem("column '\(key)': value is not valid UTF-8")
                }
                props.members.append(JSONMember(key, value))
            }
        }

        if let wktColumn, fields[wktColumn].end > fields[wktColumn].start {
            return try readPolygon(record, id: id, t: t, props: props, wktColumn: wktColumn)
        }
        guard let lonColumn, let latColumn else {
            throw RowProblem("column '\(names[wktColumn!])' is empty and there are no lon/lat columns")
        }
        let lon = try coordinate(record, lonColumn, limit: 180)
        let lat = try coordinate(record, latColumn, limit: 90)
        return .point(PointEvent(id: id, t: t, point: Point(lon: lon, lat: lat), props: props))
    }

    /// An unquoted field's bytes, in place.
    @inline(__always)
    private static func bytes(_ record: UnsafeRawBufferPointer, _ range: FieldRange) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: record.baseAddress! + range.start, count: range.end - range.start)
    }

    private func readPolygon(_ record: UnsafeRawBufferPointer, id: String, t: Int64, props: JSONObject,
                             wktColumn: Int) throws(RowProblem) -> InputEvent {
        let name = names[wktColumn]
        var role = options.defaultRole
        if let roleColumn, fields[roleColumn].end > fields[roleColumn].start {
            let value = text(record, fields[roleColumn])
            guard let parsed = PolygonEvent.Role(rawValue: value) else {
                throw RowProblem("column '\(names[roleColumn])': role '\(value)' is not object or fence")
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
            throw RowProblem("column '\(name)': \(error)")
        } catch let error as GeometryError {
            throw RowProblem("column '\(name)': invalid polygon: \(error)")
        } catch {
            throw RowProblem("column '\(name)': \(error)")
        }
        if geometry == nil, role != .fence {
            throw RowProblem("column '\(name)': EMPTY geometry is only meaningful for role fence (removal)")
        }
        return .polygon(PolygonEvent(id: id, t: t, geometry: geometry, role: role, props: props))
    }

    private func coordinate(_ record: UnsafeRawBufferPointer, _ column: Int, limit: Double) throws(RowProblem) -> Double {
        let range = fields[column]
        // The usual case first, without touching `names` (a String copy per call).
        let readable = record.count - range.start + readableAfterRecord
        if !range.quoted, let value = NumberParsing.plainDecimal(Self.bytes(record, range), readableBytes: readable), abs(value) <= limit {
            return value
        }
        let name = names[column]
        guard range.end > range.start else {
            throw RowProblem("missing \(column == lonColumn ? "lon" : "lat") (column '\(name)')")
        }
        let parsed: ParsedNumber
        if !range.quoted, let value = NumberParsing.plainDecimal(Self.bytes(record, range)) {
            parsed = .double(value)
        } else {
            parsed = Self.withField(record, range) { NumberParsing.double($0.trimmingSpaces()) }
        }
        switch parsed {
        case .double(let value):
            guard abs(value) <= limit else {
                throw RowProblem("column '\(name)': \(value) is outside [-\(Int(limit)), \(Int(limit))]")
            }
            return value
        case .nonFinite:
            throw RowProblem("column '\(name)': '\(text(record, range))' is not a finite number")
        case .integer, .invalid:
            throw RowProblem("column '\(name)': '\(text(record, range))' is not a number")
        }
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
