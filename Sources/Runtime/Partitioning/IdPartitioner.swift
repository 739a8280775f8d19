/// Routes an object id to a worker for stages partitioned `by: id` (operators with per-object state,
/// such as enter/exit, which needs the object's previous position on the same worker).
///
/// The choice is a pure function of the id's UTF-8 bytes and the worker count, identical in every
/// process and on every machine: FNV-1a over the bytes, a MurmurHash3 finalizer, then jump consistent
/// hashing. The jump step means going from n to n + 1 workers moves only about 1/(n + 1) of the ids,
/// all to the new worker. Changing any of this re-routes stored per-object state, so the tests pin
/// its output for a few ids.
public struct IdPartitioner: Hashable, Sendable {
    public let workerCount: Int

    /// - Precondition: `workers` ≥ 1.
    public init(workers: Int) {
        precondition(workers >= 1, "an id partitioner needs at least one worker, got \(workers)")
        self.workerCount = workers
    }

    /// The worker in `0..<workerCount` that owns every event of this id.
    @inline(__always)
    public func worker(for id: String) -> Int {
        StableHash.jumpConsistentBucket(Self.hash(of: id), buckets: workerCount)
    }

    @inline(__always)
    static func hash(of id: String) -> UInt64 {
        let fnv = id.utf8.withContiguousStorageIfAvailable { StableHash.fnv1a($0) }
            ?? StableHash.fnv1a(id.utf8)
        return StableHash.finalize(fnv)
    }
}
