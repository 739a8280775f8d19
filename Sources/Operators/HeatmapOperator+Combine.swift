/// Partials out of the workers, the published object out of `combine`.
///
/// A worker's partial is `{"cell":"<id>","count":N}` with `t` = window end: as small as a result
/// can be, since most of what is published (window, centre, outline) follows from the cell and
/// `t`, and is rendered once in the publisher instead of once per worker.
extension HeatmapOperator {
    /// Sums the partials of every worker per (window end, cell), drops sums below `minCount`, and
    /// renders what is left, ordered by window end, then row and column (metre cells) or tile x and y.
    ///
    /// All partials of a window must come in one call (the publisher releases a window's results
    /// together once every worker's watermark has passed it); the result does not depend on their
    /// order. The published objects themselves are accepted too (their counts are summed like
    /// partials), so combining twice changes nothing. Outputs that are neither (another topic, or
    /// a cell of another grid) are passed through unchanged after the rest, sorted by (t, json),
    /// so nothing is lost and the order stays deterministic.
    /// `combine` sorts by (window end, cell) itself.
    public var combineOrdersOutput: Bool { true }

    public func combine(_ partials: [OperatorOutput]) -> [OperatorOutput] {
        var sums: [WindowCell: Int] = Dictionary(minimumCapacity: partials.count)
        var unrecognised: [OperatorOutput] = []
        for partial in partials {
            guard partial.topic == Self.topic, let (cellKey, count) = parseCellCount(partial.json) else {
                unrecognised.append(partial)
                continue
            }
            sums[WindowCell(end: partial.t, cellKey: cellKey), default: 0] += count
        }
        var published: [(windowCell: WindowCell, count: Int)] = []
        published.reserveCapacity(sums.count)
        for (windowCell, count) in sums where count >= spec.minCount { published.append((windowCell, count)) }
        published.sort { $0.windowCell < $1.windowCell }

        var results: [OperatorOutput] = []
        results.reserveCapacity(published.count + unrecognised.count)
        var edgeTexts = CellEdgeTexts()
        for (windowCell, count) in published {
            results.append(OperatorOutput(topic: Self.topic, t: windowCell.end,
                                          json: renderPublished(end: windowCell.end, cellKey: windowCell.cellKey,
                                                                count: count, edgeTexts: &edgeTexts)))
        }
        results += unrecognised.sorted { ($0.t, $0.topic, $0.json) < ($1.t, $1.topic, $1.json) }
        return results
    }

    /// `{"cell":"<id>","count":N}`
    func renderPartial(cellKey: Int64, count: Int) -> String {
        let cell = grid.cell(ofKey: cellKey)
        return String(unsafeUninitializedCapacity: 32 + grid.idPrefixBytes.count + 3 * 20) { buffer in
            var out = RawJSONWriter(buffer)
            out.put("{")
            out.putCellAndCount(cell, count: count, grid: grid)
            out.put(UInt8(ascii: "}"))
            return out.count
        }
    }

    /// The object published on `heatmap`, keys in this order:
    /// `{"window":{"start":S,"end":T},"cell":"<id>","count":N,"center":[lon,lat],"geometry":<Polygon>}`.
    ///
    /// The centre and the outline are `bounds(of:)`'s centre and counter-clockwise ring; their
    /// numbers come from `edgeTexts`, which formats each column's and row's edges once per call.
    func renderPublished(end: Int64, cellKey: Int64, count: Int, edgeTexts: inout CellEdgeTexts) -> String {
        let cell = grid.cell(ofKey: cellKey)
        let lon = edgeTexts.column(cell.column, grid: grid)
        let lat = edgeTexts.row(cell.row, grid: grid)
        // Written straight into the String's storage: this runs once per published cell, in a burst
        // at every slide, and Array appends cost several times the bytes they copy.
        let capacity = 160 + grid.idPrefixBytes.count + 5 * (lon.low.count + lon.high.count + lat.low.count + lat.high.count)
            + lon.middle.count + lat.middle.count + 5 * 20
        return String(unsafeUninitializedCapacity: capacity) { buffer in
            var out = RawJSONWriter(buffer)
            out.put("{\"window\":{\"start\":")
            out.put(end - size)
            out.put(",\"end\":")
            out.put(end)
            out.put("},")
            out.putCellAndCount(cell, count: count, grid: grid)
            out.put(",\"center\":")
            out.putPosition(lon.middle, lat.middle)
            out.put(",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[")
            out.putPosition(lon.low, lat.low)
            out.put(UInt8(ascii: ","))
            out.putPosition(lon.high, lat.low)
            out.put(UInt8(ascii: ","))
            out.putPosition(lon.high, lat.high)
            out.put(UInt8(ascii: ","))
            out.putPosition(lon.low, lat.high)
            out.put(UInt8(ascii: ","))
            out.putPosition(lon.low, lat.low)
            out.put("]]}}")
            return out.count
        }
    }

    /// The cell key and count of a partial or a published object; nil when `json` is neither or
    /// names a cell of another grid. Reads only the `"cell"` and `"count"` members, which both
    /// forms write exactly so (ids hold no characters JSON escapes), scanning bytes: the publisher
    /// parses every partial of every worker.
    func parseCellCount(_ json: String) -> (cellKey: Int64, count: Int)? {
        var json = json
        return json.withUTF8 { bytes -> (cellKey: Int64, count: Int)? in
            let text = bytes[...]
            guard let idStart = Self.end(of: Self.cellMarker, in: text, from: text.startIndex),
                  let idEnd = text[idStart...].firstIndex(of: UInt8(ascii: "\"")),
                  let cell = grid.cell(parsingID: text[idStart..<idEnd]),
                  var countStart = Self.end(of: Self.countMarker, in: text, from: idEnd),
                  let count = HeatmapGrid.parseIndex(text, from: &countStart, maxDigits: 18)
            else { return nil }
            return (grid.key(of: cell), count)
        }
    }

    private static let cellMarker = Array(#""cell":""#.utf8)
    private static let countMarker = Array(#""count":"#.utf8)

    /// Where the first `marker` at or after `start` ends.
    private static func end(of marker: [UInt8], in text: Slice<UnsafeBufferPointer<UInt8>>, from start: Int) -> Int? {
        guard text.endIndex - start >= marker.count else { return nil }
        var index = start
        while index <= text.endIndex - marker.count {
            if text[index] == marker[0] && text[index..<(index + marker.count)].elementsEqual(marker) {
                return index + marker.count
            }
            index += 1
        }
        return nil
    }
}

/// The formatted edges and middles of the columns and rows met so far in one `combine` call.
///
/// A window's cells share a few hundred columns and rows, and formatting a double costs more
/// than everything else in a published object, so each number is formatted once per call.
struct CellEdgeTexts {
    struct Edges {
        /// West or south edge, east or north edge, and the middle of the two.
        var low: [UInt8]
        var high: [UInt8]
        var middle: [UInt8]

        init(low: Double, high: Double) {
            self.low = JSONText.formatted(low)
            self.high = JSONText.formatted(high)
            // The same expression as `Rect.center`, so the text equals `bounds(of:).center`'s.
            self.middle = JSONText.formatted((low + high) * 0.5)
        }
    }

    private var columns: [Int: Edges] = [:]
    private var rows: [Int: Edges] = [:]

    mutating func column(_ column: Int, grid: HeatmapGrid) -> Edges {
        if let edges = columns[column] { return edges }
        let (west, east) = grid.longitudes(ofColumn: column)
        let edges = Edges(low: west, high: east)
        columns[column] = edges
        return edges
    }

    mutating func row(_ row: Int, grid: HeatmapGrid) -> Edges {
        if let edges = rows[row] { return edges }
        let (south, north) = grid.latitudes(ofRow: row)
        let edges = Edges(low: south, high: north)
        rows[row] = edges
        return edges
    }
}

/// A (window end, cell) pair: what `combine` sums by and sorts by.
struct WindowCell: Hashable, Comparable {
    var end: Int64
    var cellKey: Int64

    static func < (lhs: WindowCell, rhs: WindowCell) -> Bool {
        (lhs.end, lhs.cellKey) < (rhs.end, rhs.cellKey)
    }
}

/// Appends bytes into a buffer sized beforehand (`renderPublished` computes the bound), with no
/// capacity or uniqueness checks per append.
struct RawJSONWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private(set) var count = 0

    init(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        base = buffer.baseAddress!
        capacity = buffer.count
    }

    @inline(__always)
    mutating func put(_ byte: UInt8) {
        precondition(count < capacity, "RawJSONWriter: bound too small")
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func put(_ literal: StaticString) {
        precondition(count + literal.utf8CodeUnitCount <= capacity, "RawJSONWriter: bound too small")
        (base + count).update(from: literal.utf8Start, count: literal.utf8CodeUnitCount)
        count += literal.utf8CodeUnitCount
    }

    @inline(__always)
    mutating func put(_ bytes: [UInt8]) {
        precondition(count + bytes.count <= capacity, "RawJSONWriter: bound too small")
        bytes.withUnsafeBufferPointer { (base + count).update(from: $0.baseAddress!, count: $0.count) }
        count += bytes.count
    }

    mutating func put(_ number: Int64) {
        precondition(count + 20 <= capacity, "RawJSONWriter: bound too small")
        if number < 0 { put(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits = 0
        var scratch = magnitude
        repeat {
            digits += 1
            scratch /= 10
        } while scratch > 0
        var index = count + digits - 1
        repeat {
            base[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            index -= 1
        } while magnitude > 0
        count += digits
    }

    /// `"cell":"<id>","count":N`, the members partials and published objects share.
    mutating func putCellAndCount(_ cell: HeatmapCell, count: Int, grid: HeatmapGrid) {
        put("\"cell\":\"")
        put(grid.idPrefixBytes)
        put(Int64(cell.column))
        put(grid.idSeparator)
        put(Int64(cell.row))
        put("\",\"count\":")
        put(Int64(count))
    }

    @inline(__always)
    mutating func putPosition(_ lon: [UInt8], _ lat: [UInt8]) {
        put(UInt8(ascii: "["))
        put(lon)
        put(UInt8(ascii: ","))
        put(lat)
        put(UInt8(ascii: "]"))
    }
}
