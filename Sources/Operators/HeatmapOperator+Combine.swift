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
        let published = sums.filter { $0.value >= spec.minCount }.sorted { $0.key < $1.key }
        var results: [OperatorOutput] = []
        results.reserveCapacity(published.count + unrecognised.count)
        for (windowCell, count) in published {
            results.append(OperatorOutput(topic: Self.topic, t: windowCell.end,
                                          json: renderPublished(end: windowCell.end, cellKey: windowCell.cellKey, count: count)))
        }
        results += unrecognised.sorted { ($0.t, $0.topic, $0.json) < ($1.t, $1.topic, $1.json) }
        return results
    }

    /// `{"cell":"<id>","count":N}`
    func renderPartial(cellKey: Int64, count: Int) -> String {
        var out = "{\"cell\":"
        JSONText.appendString(grid.id(of: grid.cell(ofKey: cellKey)), to: &out)
        out += ",\"count\":"
        JSONText.appendInteger(count, to: &out)
        out += "}"
        return out
    }

    /// The object published on `heatmap`, keys in this order:
    /// `{"window":{"start":S,"end":T},"cell":"<id>","count":N,"center":[lon,lat],"geometry":<Polygon>}`.
    func renderPublished(end: Int64, cellKey: Int64, count: Int) -> String {
        let cell = grid.cell(ofKey: cellKey)
        let bounds = grid.bounds(of: cell)
        var out = "{\"window\":{\"start\":"
        JSONText.appendInteger(end - size, to: &out)
        out += ",\"end\":"
        JSONText.appendInteger(end, to: &out)
        out += "},\"cell\":"
        JSONText.appendString(grid.id(of: cell), to: &out)
        out += ",\"count\":"
        JSONText.appendInteger(count, to: &out)
        out += ",\"center\":"
        JSONText.appendPosition(bounds.center, to: &out)
        out += ",\"geometry\":"
        JSONText.appendGeoJSONPolygon(outlining: bounds, to: &out)
        out += "}"
        return out
    }

    /// The cell key and count of a partial or a published object; nil when `json` is neither or
    /// names a cell of another grid. Reads only the `"cell"` and `"count"` members, which both
    /// forms write exactly so (ids hold no characters JSON escapes).
    func parseCellCount(_ json: String) -> (cellKey: Int64, count: Int)? {
        guard let cellMarker = json.firstRange(of: "\"cell\":\"") else { return nil }
        let idStart = cellMarker.upperBound
        guard let idEnd = json[idStart...].firstIndex(of: "\""),
              let cell = grid.cell(parsingID: json[idStart..<idEnd]),
              let countMarker = json[idEnd...].firstRange(of: "\"count\":")
        else { return nil }
        let digits = json[countMarker.upperBound...].prefix { $0.isASCII && $0.isNumber }
        guard let count = Int(digits), count >= 0 else { return nil }
        return (grid.key(of: cell), count)
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
