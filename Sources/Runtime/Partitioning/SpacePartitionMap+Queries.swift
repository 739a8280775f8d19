public import GeoCore

extension SpacePartitionMap {
    /// Appends every worker other than `owner` that owns a slot within `metres` of the point: the
    /// workers that need a halo copy of it.
    ///
    /// Conservative, never missing one: candidates are the slots touching
    /// `Geodesy.boundingRect(around:radius:)` (which holds every point within `metres`), kept when
    /// `Geodesy.minimumDistance` to the slot's bounds (a lower bound, exact to a relative 1e-9) is at
    /// most `metres`. So a worker is added when its nearest slot is within `metres` × (1 + 1e-9).
    /// The overflow worker is added when the point is within that reach of the world outside the
    /// bbox (measured the same way to the strips of [-180, 180] × [-90, 90] around it; a bbox
    /// reaching past that range counts its outside as near whenever the reach rect leaves the bbox).
    /// Nothing for `metres` ≤ 0 or NaN, or a NaN point. Each worker is appended at most once;
    /// entries already in `result` are kept as they are.
    public func haloWorkers(of point: Point, within metres: Double, owner: Int, into result: inout [Int]) {
        guard metres > 0, point.x.isFinite, point.y.isFinite else { return }
        let reach = Geodesy.boundingRect(around: point, radius: metres)
        let firstAppended = result.count
        let tables = tables
        if let cells = tables.grid.cellRange(of: reach) {
            tables.forEachSlot(touching: cells, state: &result) { result, slot in
                let worker = tables.slots[slot].worker
                guard worker != owner, !Self.contains(worker, in: result, from: firstAppended) else { return }
                // The quick bound never exceeds the exact one: it only saves the trigonometry.
                let bounds = tables.slots[slot].bounds
                guard Geodesy.quickLowerBound(from: point, to: bounds) <= metres,
                      Geodesy.minimumDistance(from: point, to: bounds) <= metres
                else { return }
                result.append(worker)
            }
        }
        if overflowWorker != owner, !bbox.contains(reach), !Self.contains(overflowWorker, in: result, from: firstAppended),
           outsideIsWithin(metres, of: point) {
            result.append(overflowWorker)
        }
    }

    /// Every worker owning part of the rect, plus `overflowWorker` when the rect leaves the bbox;
    /// sorted, unique. A polygon goes to each of them.
    ///
    /// "Owning part" follows slot ownership: a rect whose east edge lies exactly on a slot boundary
    /// reaches the slot east of it (that slot owns the boundary); one whose west edge lies on it does
    /// not reach the slot to the west. An empty rect gives `[]`; a rect with a NaN coordinate only
    /// the overflow worker.
    public func workers(overlapping rect: Rect) -> [Int] {
        if rect.isEmpty { return [] }
        var found: [Int] = []
        let tables = tables
        if let cells = tables.grid.cellRange(of: rect) {
            tables.forEachSlot(touching: cells, state: &found) { found, slot in
                let worker = tables.slots[slot].worker
                if found.last != worker { found.append(worker) }  // slots come in Hilbert order
            }
        }
        if !bbox.contains(rect) {
            let place = found.firstIndex { $0 >= overflowWorker } ?? found.count
            if place == found.count || found[place] != overflowWorker { found.insert(overflowWorker, at: place) }
        }
        return found
    }

    @inline(__always)
    private static func contains(_ worker: Int, in result: [Int], from start: Int) -> Bool {
        var i = start
        while i < result.count {
            if result[i] == worker { return true }
            i += 1
        }
        return false
    }

    /// Whether some position of the world outside the bbox may be within `metres` of the point.
    private func outsideIsWithin(_ metres: Double, of point: Point) -> Bool {
        if !bbox.contains(point) { return true }
        guard bbox.minX >= -180, bbox.maxX <= 180, bbox.minY >= -90, bbox.maxY <= 90 else { return true }
        var strips: [Rect] = []
        if bbox.minX > -180 { strips.append(Rect(minX: -180, minY: -90, maxX: bbox.minX, maxY: 90)) }
        if bbox.maxX < 180 { strips.append(Rect(minX: bbox.maxX, minY: -90, maxX: 180, maxY: 90)) }
        if bbox.minY > -90 { strips.append(Rect(minX: -180, minY: -90, maxX: 180, maxY: bbox.minY)) }
        if bbox.maxY < 90 { strips.append(Rect(minX: -180, minY: bbox.maxY, maxX: 180, maxY: 90)) }
        return strips.contains { Geodesy.minimumDistance(from: point, to: $0) <= metres }
    }
}
