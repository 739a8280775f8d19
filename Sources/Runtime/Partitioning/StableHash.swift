/// Hashes that give the same value in every process and on every machine, for anything stored or
/// compared across processes (partition map versions, id routing).
///
/// Swift's `Hasher` is seeded per process, so it cannot serve here. These functions are part of the
/// checkpoint format: changing one silently re-routes ids and invalidates stored map versions, which
/// is why the tests pin their outputs.
enum StableHash {
    static let fnvOffsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
    static let fnvPrime: UInt64 = 0x0000_0100_0000_01B3

    /// FNV-1a, 64-bit. Every step is a bijection of the state, so changing any single byte always
    /// changes the result: the property the serialized map's trailer relies on.
    @inline(__always)
    static func fnv1a<Bytes: Sequence>(_ bytes: Bytes, seed: UInt64 = fnvOffsetBasis) -> UInt64
    where Bytes.Element == UInt8 {
        var h = seed
        for byte in bytes { h = (h ^ UInt64(byte)) &* fnvPrime }
        return h
    }

    /// MurmurHash3's 64-bit finalizer: FNV-1a's high bits barely depend on the last bytes, so ids that
    /// differ only at the end ("car-1", "car-2") need this avalanche before the bucket choice.
    @inline(__always)
    static func finalize(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        h = h &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 33
        return h
    }

    /// Lamping and Veach's jump consistent hash: a bucket in `0..<buckets`, and growing `buckets` by
    /// one moves only about 1/(buckets + 1) of the keys (all of them to the new bucket).
    @inline(__always)
    static func jumpConsistentBucket(_ key: UInt64, buckets: Int) -> Int {
        var key = key
        var bucket: Int64 = -1
        var next: Int64 = 0
        while next < Int64(buckets) {
            bucket = next
            key = key &* 2_862_933_555_777_941_757 &+ 1
            next = Int64(Double(bucket + 1) * (Double(Int64(1) << 31) / Double((key >> 33) + 1)))
        }
        return Int(bucket)
    }
}
