import Wire

/// One event that answers a query, rendered as the line `geostream query` prints, with the keys it is
/// ordered by.
///
/// The order is total — distance (radius, nearest), then id, then t, then the text — so merging the
/// answers of any number of workers gives one answer, and `nearest` keeps exactly the k smallest.
public struct QueryMatch: Hashable, Sendable, Comparable {
    public var id: String
    public var t: Int64
    /// Metres from the query point (radius, nearest); nil for within and intersects.
    public var distance: Double?
    /// `{"id","t","lon","lat","props"}` for a point, `{"id","t","geometry","props"}` for a polygon,
    /// plus `"distance"` when there is one.
    public var json: String

    public init(id: String, t: Int64, distance: Double?, json: String) {
        self.id = id
        self.t = t
        self.distance = distance
        self.json = json
    }

    public static func < (lhs: QueryMatch, rhs: QueryMatch) -> Bool {
        let left = lhs.distance ?? 0, right = rhs.distance ?? 0
        if left != right { return left < right }
        if lhs.id != rhs.id { return lhs.id < rhs.id }
        if lhs.t != rhs.t { return lhs.t < rhs.t }
        return lhs.json < rhs.json
    }

    /// Reads a match back from a worker's reply (the object `json` rendered); nil when it is not one.
    init?(_ value: JSONValue) {
        guard case let .object(object) = value, case let .string(id)? = object["id"], case let .integer(t)? = object["t"] else {
            return nil
        }
        switch object["distance"] {
        case nil: distance = nil
        case let .double(metres)?: distance = metres
        case let .integer(metres)?: distance = Double(metres)
        default: return nil
        }
        self.id = id
        self.t = t
        json = JSONWriter.render(value)
    }

    /// Sorts, drops identical events (a polygon held by several by-space workers answers from each),
    /// and keeps the first `limit`.
    public static func merge(_ matches: [QueryMatch], limit: Int? = nil) -> [QueryMatch] {
        var merged: [QueryMatch] = []
        for match in matches.sorted() where merged.last?.json != match.json {
            merged.append(match)
            if let limit, merged.count == limit { break }
        }
        return merged
    }
}
