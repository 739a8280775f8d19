public import GeoCore
public import SpatialIndex

/// The reference every spatial index is tested against: a plain array, every query a full scan.
///
/// Deliberately naive so it is obviously right. Results come in insertion order (nearest queries:
/// by distance, ties in insertion order); compare with an index's results as multisets.
public struct BruteForceIndex<Payload> {
    public private(set) var entries: [(bounds: Rect, payload: Payload)] = []

    public init() {}

    public init(_ entries: [(bounds: Rect, payload: Payload)]) {
        self.entries = entries
    }

    public var count: Int { entries.count }

    public mutating func insert(_ payload: Payload, bounds: Rect) {
        entries.append((bounds, payload))
    }

    /// Removes the first entry at exactly `bounds` whose payload satisfies `matches`.
    @discardableResult
    public mutating func remove(bounds: Rect, where matches: (Payload) -> Bool) -> Payload? {
        guard let index = entries.firstIndex(where: { $0.bounds == bounds && matches($0.payload) }) else {
            return nil
        }
        return entries.remove(at: index).payload
    }

    public mutating func removeAll() {
        entries.removeAll()
    }

    public func search(intersecting rect: Rect) -> [Payload] {
        entries.filter { $0.bounds.intersects(rect) }.map(\.payload)
    }

    public func search(containedIn rect: Rect) -> [Payload] {
        entries.filter { rect.contains($0.bounds) }.map(\.payload)
    }

    public func search(containing point: Point) -> [Payload] {
        entries.filter { $0.bounds.contains(point) }.map(\.payload)
    }

    /// Every entry with its planar distance to `point`, nearest first, none beyond `maxDistance`.
    public func neighbors(of point: Point, maxDistance: Double = .infinity) -> [Neighbor<Payload>] {
        neighbors(distance: { rect, _ in rect.squaredDistance(to: point).squareRoot() },
                  maxDistance: maxDistance)
    }

    /// Every entry with its distance under `distance`, nearest first, none beyond `maxDistance`.
    public func neighbors(distance: (Rect, Payload) -> Double,
                          maxDistance: Double = .infinity) -> [Neighbor<Payload>] {
        let all = entries.enumerated().map { index, entry in
            (index, Neighbor(payload: entry.payload, bounds: entry.bounds,
                             distance: distance(entry.bounds, entry.payload)))
        }
        return all.filter { $0.1.distance <= maxDistance }
            .sorted { $0.1.distance != $1.1.distance ? $0.1.distance < $1.1.distance : $0.0 < $1.0 }
            .map(\.1)
    }

    /// The first `k` of `neighbors(of:maxDistance:)`.
    public func nearest(to point: Point, k: Int, maxDistance: Double = .infinity) -> [Neighbor<Payload>] {
        Array(neighbors(of: point, maxDistance: maxDistance).prefix(Swift.max(0, k)))
    }
}

extension BruteForceIndex where Payload: Equatable {
    @discardableResult
    public mutating func remove(_ payload: Payload, bounds: Rect) -> Bool {
        remove(bounds: bounds, where: { $0 == payload }) != nil
    }
}
