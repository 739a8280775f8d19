import GeoCore
import SpatialIndex
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Sliding-window benchmarks: steady-state ingest (insert + expiry per event), memory, and queries, for the
/// pane-per-R-tree index (sealed and unsealed panes) and for the one-tree-with-deletes alternative.
///
/// Setup, the same for every variant: `pointCount` uniform points in the New York box
/// [-74.3, -73.7] × [40.5, 40.95] (seed 42), window size 60 s, slide 5 s, lateness 2 s. Event `i` has
/// time `i · 60,000 / pointCount` ms minus a random 0–1,000 ms (out of order), so a full window holds about
/// `pointCount` points. The index is first filled with `pointCount` events, then `pointCount` more are timed:
/// each timed event is one `insert` plus one `advance(to: maxTime − lateness)`, the call that expires whole
/// panes whenever a slide boundary is crossed: the per-event figure includes every insert and every expiry.
func runWindowBenchmarks(pointCount: Int, report: (String, Double, String) -> Void) {
    let stream = WindowBenchmarkStream(count: 2 * pointCount)
    report("window_benchmark_events", Double(pointCount), "events (timed, after as many warm-up events)")

    var chosen = WindowBenchmarkVariant.sealedPanes
    chosen.run(stream, warmUp: pointCount)
    report("window_steady_state", chosen.eventsPerSecond, "events/s (sealed panes; insert + advance every event)")
    report("window_steady_state_held", Double(chosen.heldAtEnd), "points held at the end")
    report("window_memory", chosen.bytesPerPoint, "bytes/point (heap growth / points held, malloc accounting)")
    report("window_intersects", chosen.queriesPerSecond(stream, kind: .intersects), "queries/s (~0.01% of the box)")
    report("window_intersects_avg_hits", chosen.averageHits, "hits")
    report("window_nearest_k10", chosen.queriesPerSecond(stream, kind: .nearest), "queries/s")
    report("window_radius_500m", chosen.queriesPerSecond(stream, kind: .radius), "queries/s")

    var unsealed = WindowBenchmarkVariant.unsealedPanes
    unsealed.run(stream, warmUp: pointCount)
    report("window_steady_state_alt_unsealed", unsealed.eventsPerSecond, "events/s (dynamic R-tree panes only)")
    report("window_memory_alt_unsealed", unsealed.bytesPerPoint, "bytes/point")
    report("window_intersects_alt_unsealed", unsealed.queriesPerSecond(stream, kind: .intersects), "queries/s")
    report("window_nearest_k10_alt_unsealed", unsealed.queriesPerSecond(stream, kind: .nearest), "queries/s")

    var single = WindowBenchmarkSingleTree()
    single.run(stream, warmUp: pointCount)
    report("window_steady_state_alt_single_tree", single.eventsPerSecond,
           "events/s (one R-tree, expiry by per-entry delete)")
    report("window_memory_alt_single_tree", single.bytesPerPoint, "bytes/point")
}

/// Seeded events, generated before any timing starts.
struct WindowBenchmarkStream {
    static let box = Rect(minX: -74.3, minY: 40.5, maxX: -73.7, maxY: 40.95)
    static let size: Int64 = 60_000
    static let slide: Int64 = 5_000
    static let lateness: Int64 = 2_000
    var points: [Point] = []
    var times: [Int64] = []
    var queryRects: [Rect] = []
    var queryPoints: [Point] = []

    init(count: Int) {
        var random = SeededGenerator(seed: 42)
        let perEvent = Double(Self.size) / Double(max(1, count / 2))
        points.reserveCapacity(count)
        times.reserveCapacity(count)
        for i in 0..<count {
            points.append(Point(x: random.nextDouble(in: Self.box.minX..<Self.box.maxX),
                                y: random.nextDouble(in: Self.box.minY..<Self.box.maxY)))
            times.append(Int64(Double(i) * perEvent) - Int64(random.next() % 1_000))
        }
        var queries = SeededGenerator(seed: 7)
        let w = Self.box.width * 0.01, h = Self.box.height * 0.01      // 1% × 1% = 0.01% of the area
        for _ in 0..<20_000 {
            let x = queries.nextDouble(in: Self.box.minX..<(Self.box.maxX - w))
            let y = queries.nextDouble(in: Self.box.minY..<(Self.box.maxY - h))
            queryRects.append(Rect(minX: x, minY: y, maxX: x + w, maxY: y + h))
            queryPoints.append(Point(x: x, y: y))
        }
    }
}

enum WindowBenchmarkQuery { case intersects, nearest, radius }

struct WindowBenchmarkVariant {
    var sealsPanes: Bool
    var rtree = RTreeConfiguration()
    var index: SlidingWindowIndex<Int>?
    var eventsPerSecond = 0.0
    var bytesPerPoint = 0.0
    var heldAtEnd = 0
    var averageHits = 0.0

    static var sealedPanes: Self { Self(sealsPanes: true) }
    static var unsealedPanes: Self { Self(sealsPanes: false) }

    mutating func run(_ stream: WindowBenchmarkStream, warmUp: Int) {
        index = nil
        let heapBefore = heapBytesInUse()
        // swiftlint:disable:next force_try
        let configuration = try! WindowConfiguration(size: WindowBenchmarkStream.size,
                                                     slide: WindowBenchmarkStream.slide, rtree: rtree,
                                                     sealsPanes: sealsPanes)
        var window = SlidingWindowIndex<Int>(configuration: configuration)
        var maxTime = Int64.min
        for i in 0..<warmUp {
            window.insert(i, geometry: .point(stream.points[i]), time: stream.times[i])
            maxTime = max(maxTime, stream.times[i])
            window.advance(to: maxTime - WindowBenchmarkStream.lateness)
        }
        let start = ContinuousClock.now
        for i in warmUp..<stream.points.count {
            window.insert(i, geometry: .point(stream.points[i]), time: stream.times[i])
            maxTime = max(maxTime, stream.times[i])
            window.advance(to: maxTime - WindowBenchmarkStream.lateness)
        }
        let seconds = (ContinuousClock.now - start).seconds
        eventsPerSecond = Double(stream.points.count - warmUp) / seconds
        heldAtEnd = window.count
        bytesPerPoint = Double(heapBytesInUse() - heapBefore) / Double(max(1, window.count))
        index = window
    }

    mutating func queriesPerSecond(_ stream: WindowBenchmarkStream, kind: WindowBenchmarkQuery) -> Double {
        guard let index else { return 0 }
        var hits = 0
        let start = ContinuousClock.now
        switch kind {
        case .intersects:
            for rect in stream.queryRects {
                index.forEach(intersecting: rect) { _ in hits += 1; return true }
            }
            averageHits = Double(hits) / Double(stream.queryRects.count)
        case .nearest:
            for point in stream.queryPoints { hits &+= index.nearest(to: point, k: 10).count }
        case .radius:
            for point in stream.queryPoints { hits &+= index.search(radius: 500, around: point).count }
        }
        let seconds = (ContinuousClock.now - start).seconds
        blackHole(hits)
        return Double(stream.queryRects.count) / seconds
    }
}

/// The alternative design: one dynamic R-tree for the whole window; entries are bucketed by pane so expiry
/// knows which to delete, and each is removed with `RTree.remove(_:bounds:)`.
struct WindowBenchmarkSingleTree {
    var eventsPerSecond = 0.0
    var bytesPerPoint = 0.0

    mutating func run(_ stream: WindowBenchmarkStream, warmUp: Int) {
        let heapBefore = heapBytesInUse()
        var tree = RTree<Int>()
        var buckets: [Int64: [Int]] = [:]            // pane key -> event indices
        var windowEnd = Int64.min
        var maxTime = Int64.min
        let slide = WindowBenchmarkStream.slide

        func event(_ i: Int) {
            let time = stream.times[i]
            let lowerBound = windowEnd == .min ? Int64.min : windowEnd - WindowBenchmarkStream.size
            if time >= lowerBound {
                tree.insert(i, bounds: Rect(point: stream.points[i]))
                buckets[time >= 0 ? time / slide : (time - slide + 1) / slide, default: []].append(i)
            }
            maxTime = max(maxTime, time)
            let watermark = maxTime - WindowBenchmarkStream.lateness
            let end = (watermark >= 0 ? watermark / slide : (watermark - slide + 1) / slide) * slide
            guard end > windowEnd else { return }
            windowEnd = end
            let cutoffKey = (end - WindowBenchmarkStream.size) / slide    // panes below this key expire
            for key in buckets.keys where key < cutoffKey {
                for j in buckets[key]! { tree.remove(bounds: Rect(point: stream.points[j]), where: { $0 == j }) }
                buckets[key] = nil
            }
        }
        for i in 0..<warmUp { event(i) }
        let start = ContinuousClock.now
        for i in warmUp..<stream.points.count { event(i) }
        let seconds = (ContinuousClock.now - start).seconds
        eventsPerSecond = Double(stream.points.count - warmUp) / seconds
        bytesPerPoint = Double(heapBytesInUse() - heapBefore) / Double(max(1, tree.count))
        blackHole(tree.count)
    }
}

/// Bytes glibc's malloc has handed out and not had back: heap in use plus mmapped blocks, read from the
/// last (all-arena) totals of `malloc_info`'s XML. 0 where unavailable (not glibc).
func heapBytesInUse() -> Int {
    #if canImport(Glibc)
    typealias MallocInfo = @convention(c) (Int32, UnsafeMutablePointer<FILE>?) -> Int32
    guard let symbol = dlsym(nil, "malloc_info") else { return 0 }          // nil: RTLD_DEFAULT
    let mallocInfo = unsafeBitCast(symbol, to: MallocInfo.self)
    var buffer: UnsafeMutablePointer<CChar>?
    var length = 0
    guard let stream = open_memstream(&buffer, &length) else { return 0 }
    _ = mallocInfo(0, stream)
    fclose(stream)
    guard let buffer else { return 0 }
    defer { free(buffer) }
    let xml = String(cString: buffer)
    func lastSize(_ prefix: String) -> Int {
        guard let range = xml.range(of: prefix, options: .backwards) else { return 0 }
        let tail = xml[range.upperBound...].drop { $0 != "s" }       // up to size="..."
        guard let sizeRange = tail.range(of: "size=\"") else { return 0 }
        return Int(tail[sizeRange.upperBound...].prefix { $0.isNumber }) ?? 0
    }
    return lastSize("<system type=\"current\"") - lastSize("<total type=\"fast\"")
        - lastSize("<total type=\"rest\"") + lastSize("<total type=\"mmap\"")
    #else
    return 0
    #endif
}

@inline(never)
func blackHole<T>(_ value: T) { _ = value }

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
