public import GeoCore

extension SlidingWindowIndex {
    /// The `k` entries of the current window nearest to `point`, nearest first, with their distance in
    /// metres (haversine; polygons by their nearest point, 0 inside).
    ///
    /// Every tree of every visible pane is searched best-first, in order of the lower bound to its
    /// bounds; each search stops at the current k-th distance and a tree whose bound is no better is
    /// skipped. Unindexed (buffered) entries are measured last, skipped when their latitude gap alone
    /// exceeds the k-th distance. Among entries tied at the k-th distance an arbitrary one is kept.
    /// `k <= 0` gives an empty result.
    @inlinable
    public func nearest(to point: Point, k: Int) -> [(entry: WindowEntry<Payload>, distance: Double)] {
        guard k > 0 else { return [] }
        var order: [(bound: Double, slot: Int, tree: Int)] = []
        for slot in panes.indices {
            if case .hidden = visibility(of: panes[slot]) { continue }
            for (position, tree) in panes[slot].trees.enumerated() where !tree.isEmpty {
                order.append((Geodesy.quickLowerBound(from: point, to: tree.bounds), slot, position))
            }
        }
        order.sort { $0.bound < $1.bound }

        var best: [(entry: WindowEntry<Payload>, distance: Double)] = []
        best.reserveCapacity(Swift.min(k, heldCount) + 1)
        let limit = currentWindowEnd ?? .max
        func offer(_ pane: WindowPane<Payload>, _ bounds: Rect, _ record: WindowRecord<Payload>, _ distance: Double) {
            var position = best.count
            while position > 0 && best[position - 1].distance > distance { position -= 1 }
            best.insert((pane.entry(bounds: bounds, record: record), distance), at: position)
            if best.count > k { best.removeLast() }
        }
        func metres(_ pane: WindowPane<Payload>, _ bounds: Rect, _ record: WindowRecord<Payload>) -> Double {
            record.shape < 0
                ? Geodesy.distance(point, Point(x: bounds.minX, y: bounds.minY))
                : Geodesy.distance(from: point, to: pane.shapes[Int(record.shape)])
        }

        for (bound, slot, position) in order {
            if best.count == k && bound >= best[k - 1].distance { break }
            let pane = panes[slot]
            var checksTime = false
            if case .beforeWindowEnd = visibility(of: pane) { checksTime = true }
            let tree = position == 0 ? pane.tree : pane.runs[position - 1]
            tree.forEachNearest(
                to: point,
                // The cheap bound: an exact one costs ~10 trig calls per node over ~30 trees.
                lowerBound: { Geodesy.quickLowerBound(from: point, to: $0) },
                distance: { bounds, record in metres(pane, bounds, record) }
            ) { neighbor in
                if best.count == k && neighbor.distance >= best[k - 1].distance { return false }
                if checksTime && neighbor.payload.time >= limit { return true }
                offer(pane, neighbor.bounds, neighbor.payload, neighbor.distance)
                return true
            }
        }

        // R·|Δlatitude| never exceeds the haversine distance to any point of a rect that far away.
        let metresPerDegree = Geodesy.earthRadius * .pi / 180 * (1 - 1e-9)
        for pane in panes where !pane.buffer.isEmpty {
            if case .hidden = visibility(of: pane) { continue }
            for item in pane.buffer where item.payload.time < limit {
                if best.count == k {
                    let gap = Swift.max(0, item.bounds.minY - point.y, point.y - item.bounds.maxY)
                    if gap * metresPerDegree >= best[k - 1].distance { continue }
                }
                let distance = metres(pane, item.bounds, item.payload)
                if best.count < k || distance < best[k - 1].distance { offer(pane, item.bounds, item.payload, distance) }
            }
        }
        return best
    }
}
