public import GeoCore

/// How to divide an overflowing node's M + 1 entries: `order[..<firstCount]` stay, the rest move to a
/// new sibling. Both groups hold at least m entries.
@usableFromInline
struct RTreeSplitPlan {
    @usableFromInline var order: [Int]
    @usableFromInline var firstCount: Int

    @inlinable
    init(order: [Int], firstCount: Int) {
        self.order = order
        self.firstCount = firstCount
    }
}

/// The three node-split algorithms, on entry rects only (the caller moves payloads or children).
@usableFromInline
enum RTreeSplitter {
    @inlinable
    static func plan(_ rects: [Rect], minEntries: Int, strategy: SplitStrategy) -> RTreeSplitPlan {
        switch strategy {
        case .linear: return guttman(rects, minEntries: minEntries, seeds: linearSeeds(rects), quadratic: false)
        case .quadratic: return guttman(rects, minEntries: minEntries, seeds: quadraticSeeds(rects), quadratic: true)
        case .rstar: return rstar(rects, minEntries: minEntries)
        case .axis: return longestAxis(rects, minEntries: minEntries)
        }
    }

    /// The edge-snap split: on the longest axis of all entries' bounds, an entry whose low edge is
    /// nearer the low side stays, the rest move; an underfull side takes the entries nearest to it.
    @inlinable
    static func longestAxis(_ rects: [Rect], minEntries: Int) -> RTreeSplitPlan {
        var all = Rect.empty
        for rect in rects { all = all.union(rect) }
        let alongX = all.width >= all.height
        @inline(__always) func low(_ r: Rect) -> Double { alongX ? r.minX : r.minY }
        @inline(__always) func high(_ r: Rect) -> Double { alongX ? r.maxX : r.maxY }
        let lowEdge = alongX ? all.minX : all.minY, highEdge = alongX ? all.maxX : all.maxY
        var first: [Int] = [], second: [Int] = []
        first.reserveCapacity(rects.count)
        second.reserveCapacity(rects.count)
        for index in rects.indices {
            if highEdge - high(rects[index]) < low(rects[index]) - lowEdge { second.append(index) } else { first.append(index) }
        }
        if first.count < minEntries {
            // The second side's entries with the lowest low edges move back.
            second.sort { low(rects[$0]) > low(rects[$1]) }
            while first.count < minEntries { first.append(second.removeLast()) }
        } else if second.count < minEntries {
            first.sort { high(rects[$0]) < high(rects[$1]) }
            while second.count < minEntries { second.append(first.removeLast()) }
        }
        return RTreeSplitPlan(order: first + second, firstCount: first.count)
    }

    @inlinable
    static func intersectionArea(_ a: Rect, _ b: Rect) -> Double {
        let width = Swift.min(a.maxX, b.maxX) - Swift.max(a.minX, b.minX)
        let height = Swift.min(a.maxY, b.maxY) - Swift.max(a.minY, b.minY)
        return width > 0 && height > 0 ? width * height : 0
    }

    /// Guttman's LinearPickSeeds: per axis the entry with the highest low side and the one with the
    /// lowest high side, their separation normalised by the axis extent; the widest pair wins.
    @inlinable
    static func linearSeeds(_ rects: [Rect]) -> (Int, Int) {
        var best = (0, 1)
        var bestSeparation = -Double.infinity
        for axis in 0..<2 {
            var highestLow = 0, lowestHigh = 0
            var lowest = Double.infinity, highest = -Double.infinity
            for index in rects.indices {
                let (low, high) = axis == 0 ? (rects[index].minX, rects[index].maxX)
                                            : (rects[index].minY, rects[index].maxY)
                if low > (axis == 0 ? rects[highestLow].minX : rects[highestLow].minY) { highestLow = index }
                if high < (axis == 0 ? rects[lowestHigh].maxX : rects[lowestHigh].maxY) { lowestHigh = index }
                lowest = Swift.min(lowest, low)
                highest = Swift.max(highest, high)
            }
            if highestLow == lowestHigh {
                // One entry is both extremes: pair it with the next-lowest high side instead.
                lowestHigh = highestLow == 0 ? 1 : 0
                for index in rects.indices where index != highestLow {
                    let high = axis == 0 ? rects[index].maxX : rects[index].maxY
                    if high < (axis == 0 ? rects[lowestHigh].maxX : rects[lowestHigh].maxY) { lowestHigh = index }
                }
            }
            let low = axis == 0 ? rects[highestLow].minX : rects[highestLow].minY
            let high = axis == 0 ? rects[lowestHigh].maxX : rects[lowestHigh].maxY
            let extent = highest - lowest
            let separation = extent > 0 ? (low - high) / extent : 0
            if separation > bestSeparation {
                bestSeparation = separation
                best = (lowestHigh, highestLow)
            }
        }
        return best
    }

    /// Guttman's PickSeeds: the pair that would waste the most area if grouped together.
    @inlinable
    static func quadraticSeeds(_ rects: [Rect]) -> (Int, Int) {
        var best = (0, 1)
        var worstWaste = -Double.infinity
        for i in rects.indices {
            let areaI = rects[i].area
            for j in (i + 1)..<rects.count {
                let waste = rects[i].union(rects[j]).area - areaI - rects[j].area
                if waste > worstWaste {
                    worstWaste = waste
                    best = (i, j)
                }
            }
        }
        return best
    }

    /// Guttman's distribution: grow two groups from the seeds, each next entry going to the group it
    /// enlarges least (ties: smaller area, then fewer entries), topping a group up when it needs all
    /// the rest to reach m. Quadratic picks the entry with the strongest preference next; linear
    /// takes entries in order.
    @inlinable
    static func guttman(_ rects: [Rect], minEntries: Int, seeds: (Int, Int), quadratic: Bool) -> RTreeSplitPlan {
        let total = rects.count
        var inSecond = [Bool](repeating: false, count: total)
        var assigned = [Bool](repeating: false, count: total)
        assigned[seeds.0] = true
        assigned[seeds.1] = true
        inSecond[seeds.1] = true
        var first = rects[seeds.0], second = rects[seeds.1]
        var firstCount = 1, secondCount = 1
        var remaining = total - 2
        var cursor = 0
        while remaining > 0 {
            if firstCount + remaining <= minEntries || secondCount + remaining <= minEntries {
                let toSecond = secondCount + remaining <= minEntries
                for index in 0..<total where !assigned[index] {
                    assigned[index] = true
                    inSecond[index] = toSecond
                }
                if toSecond { secondCount += remaining } else { firstCount += remaining }
                break
            }
            var next = -1
            if quadratic {
                var strongest = -Double.infinity
                for index in 0..<total where !assigned[index] {
                    let preference = abs(first.enlargement(toInclude: rects[index])
                                         - second.enlargement(toInclude: rects[index]))
                    if preference > strongest {
                        strongest = preference
                        next = index
                    }
                }
            } else {
                while assigned[cursor] { cursor += 1 }
                next = cursor
            }
            let growFirst = first.enlargement(toInclude: rects[next])
            let growSecond = second.enlargement(toInclude: rects[next])
            let toSecond: Bool
            if growFirst != growSecond {
                toSecond = growSecond < growFirst
            } else if first.area != second.area {
                toSecond = second.area < first.area
            } else {
                toSecond = secondCount < firstCount
            }
            assigned[next] = true
            inSecond[next] = toSecond
            if toSecond {
                second = second.union(rects[next])
                secondCount += 1
            } else {
                first = first.union(rects[next])
                firstCount += 1
            }
            remaining -= 1
        }
        var order = [Int]()
        order.reserveCapacity(total)
        for index in 0..<total where !inSecond[index] { order.append(index) }
        for index in 0..<total where inSecond[index] { order.append(index) }
        return RTreeSplitPlan(order: order, firstCount: firstCount)
    }

    /// Beckmann et al.'s split: the axis with the least margin sum over all legal distributions of
    /// both sortings, then on it the distribution with least overlap, ties by least total area.
    @inlinable
    static func rstar(_ rects: [Rect], minEntries: Int) -> RTreeSplitPlan {
        let total = rects.count
        var prefix = [Rect](repeating: .empty, count: total)
        var suffix = [Rect](repeating: .empty, count: total)
        func bounds(of order: [Int]) {
            var running = Rect.empty
            for position in 0..<total {
                running = running.union(rects[order[position]])
                prefix[position] = running
            }
            running = .empty
            for position in stride(from: total - 1, through: 0, by: -1) {
                running = running.union(rects[order[position]])
                suffix[position] = running
            }
        }
        func sortings(axis: Int) -> [[Int]] {
            let indices = Array(0..<total)
            if axis == 0 {
                return [indices.sorted { (rects[$0].minX, rects[$0].maxX) < (rects[$1].minX, rects[$1].maxX) },
                        indices.sorted { (rects[$0].maxX, rects[$0].minX) < (rects[$1].maxX, rects[$1].minX) }]
            }
            return [indices.sorted { (rects[$0].minY, rects[$0].maxY) < (rects[$1].minY, rects[$1].maxY) },
                    indices.sorted { (rects[$0].maxY, rects[$0].minY) < (rects[$1].maxY, rects[$1].minY) }]
        }
        let splits = minEntries...(total - minEntries)
        var bestAxisSortings: [[Int]] = []
        var bestMarginSum = Double.infinity
        for axis in 0..<2 {
            let candidates = sortings(axis: axis)
            var marginSum = 0.0
            for order in candidates {
                bounds(of: order)
                for firstCount in splits {
                    marginSum += prefix[firstCount - 1].margin + suffix[firstCount].margin
                }
            }
            // The first axis always counts: with coordinates near Double's range the sums
            // overflow to infinity (or NaN), and no axis would ever compare smaller.
            if bestAxisSortings.isEmpty || marginSum < bestMarginSum {
                bestMarginSum = marginSum
                bestAxisSortings = candidates
            }
        }
        var best = RTreeSplitPlan(order: bestAxisSortings[0], firstCount: minEntries)
        var bestOverlap = Double.infinity, bestArea = Double.infinity
        for order in bestAxisSortings {
            bounds(of: order)
            for firstCount in splits {
                let left = prefix[firstCount - 1], right = suffix[firstCount]
                let overlap = intersectionArea(left, right)
                let area = left.area + right.area
                if overlap < bestOverlap || (overlap == bestOverlap && area < bestArea) {
                    bestOverlap = overlap
                    bestArea = area
                    best = RTreeSplitPlan(order: order, firstCount: firstCount)
                }
            }
        }
        return best
    }
}
