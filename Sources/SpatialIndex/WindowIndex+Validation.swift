import GeoCore

extension SlidingWindowIndex {
    /// Checks every invariant: each pane's R-tree is valid, panes are sorted and non-empty, every entry
    /// sits in the pane of its time and is not older than `lowerBound`, every polygon's rect is its
    /// geometry's bounds, and the held count is the sum of the panes.
    public func validate() throws(WindowInvariantViolation) {
        guard paneKeys.count == panes.count else {
            throw WindowInvariantViolation(message: "\(paneKeys.count) pane keys for \(panes.count) panes")
        }
        let width = configuration.paneWidth
        var total = 0
        for (slot, pane) in panes.enumerated() {
            guard pane.key == paneKeys[slot] else {
                throw WindowInvariantViolation(message: "slot \(slot) keyed \(paneKeys[slot])", pane: pane.key)
            }
            if slot > 0 && paneKeys[slot - 1] >= pane.key {
                throw WindowInvariantViolation(message: "panes out of order after \(paneKeys[slot - 1])", pane: pane.key)
            }
            if pane.count == 0 {
                throw WindowInvariantViolation(message: "empty pane kept", pane: pane.key)
            }
            for (position, tree) in pane.trees.enumerated() {
                do {
                    try tree.validate()
                } catch {
                    throw WindowInvariantViolation(message: "R-tree \(position): \(error)", pane: pane.key)
                }
            }
            let itemCount = pane.trees.reduce(pane.buffer.count) { $0 + $1.count }
            if itemCount != pane.count {
                throw WindowInvariantViolation(message: "pane count \(pane.count), trees and buffer hold \(itemCount)",
                                               pane: pane.key)
            }
            if pane.isSealed && (!pane.runs.isEmpty || !pane.buffer.isEmpty) {
                throw WindowInvariantViolation(message: "sealed pane still has runs or a buffer", pane: pane.key)
            }
            var problem: String?
            pane.forEachItem { bounds, record in
                if WindowTime.floorDivide(record.time, width) != pane.key {
                    problem = "entry at t=\(record.time) belongs to pane \(WindowTime.floorDivide(record.time, width))"
                } else if record.time < currentLowerBound {
                    problem = "entry at t=\(record.time) is older than lowerBound \(currentLowerBound)"
                } else if record.shape >= pane.shapes.count {
                    problem = "shape index \(record.shape) past \(pane.shapes.count) shapes"
                } else if record.shape < 0 && (bounds.minX != bounds.maxX || bounds.minY != bounds.maxY) {
                    problem = "point entry keyed by a non-degenerate rect \(bounds)"
                } else if record.shape >= 0 && pane.shapes[Int(record.shape)].bounds != bounds {
                    problem = "polygon entry keyed by \(bounds), its bounds are \(pane.shapes[Int(record.shape)].bounds)"
                }
                return problem == nil
            }
            if let problem { throw WindowInvariantViolation(message: problem, pane: pane.key) }
            total += pane.count
        }
        guard total == heldCount else {
            throw WindowInvariantViolation(message: "count says \(heldCount), panes hold \(total)")
        }
    }
}
