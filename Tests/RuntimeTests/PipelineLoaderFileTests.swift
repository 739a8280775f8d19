import Foundation
import Runtime
import XCTest

/// `PipelineLoader.load(path:)` on real files: what cannot be read, paths relative to the file, and
/// every pipeline shipped in the repository's `pipelines/` folder.
final class PipelineLoaderFileTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    func write(_ name: String, _ data: Data) throws -> String {
        let url = directory.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        return url.path
    }

    func loadError(path: String, file: StaticString = #filePath, line: UInt = #line) -> PipelineError? {
        do {
            _ = try PipelineLoader.load(path: path)
            XCTFail("loaded \(path), expected an error", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    func testMissingFile() {
        let path = directory.appendingPathComponent("nope.yaml").path
        let error = loadError(path: path)
        XCTAssertEqual(error?.code, .fileNotFound)
        XCTAssertNil(error?.line)
        XCTAssertEqual(error?.description, "\(path): no such file")
    }

    func testDirectoryIsNotAPipelineFile() {
        let error = loadError(path: directory.path)
        XCTAssertEqual(error?.code, .unreadable)
        XCTAssertEqual(error?.description, "\(directory.path): is a directory, not a pipeline file")
    }

    func testBinaryAndOversizedFiles() throws {
        let binary = try write("binary.yaml", Data([0x6E, 0x61, 0xFF, 0xFE, 0x00, 0x01]))
        XCTAssertEqual(loadError(path: binary)?.description, "\(binary): is not UTF-8 text")
        let huge = try write("huge.yaml", Data(repeating: UInt8(ascii: "#"), count: PipelineLoader.maximumFileBytes + 1))
        XCTAssertEqual(loadError(path: huge)?.code, .unreadable)
    }

    func testErrorsInAFileNameTheFileAsGiven() throws {
        let path = try write("typo.yaml", Data("name: t\nwindow: { size: 60s, slide: 5s }\nstages:\n  - { name: h, operator: heatmap, cell: fifty }\n".utf8))
        XCTAssertEqual(loadError(path: path)?.description,
                       "\(path):4: stages[0].cell: expected a distance like 50m or 2km, got 'fifty'")
    }

    func testRelativeCheckpointDirectoryResolvesAgainstTheFilesDirectory() throws {
        let yaml = "name: t\nwindow: { size: 60s, slide: 5s }\nstages: [{ name: h, operator: heatmap, level: 3 }]\ncheckpoint: { dir: state/t, every: 1m }\n"
        let path = try write("sub/dir/t.yaml", Data(yaml.utf8))
        let spec = try PipelineLoader.load(path: path)
        let expectedBase = directory.appendingPathComponent("sub/dir").standardizedFileURL.path
        XCTAssertEqual(spec.baseDirectory, expectedBase)
        XCTAssertEqual(spec.checkpoint?.directory, expectedBase + "/state/t")
        XCTAssertEqual(spec.checkpoint?.every, .eventTime(60_000))
    }

    /// The complete example in docs/pipeline-format.md (its first yaml block) is a valid pipeline.
    func testTheDocumentedExampleLoads() throws {
        let doc = try String(contentsOf: Self.repository.appendingPathComponent("docs/pipeline-format.md"), encoding: .utf8)
        let afterFence = try XCTUnwrap(doc.range(of: "```yaml\n"), "docs/pipeline-format.md has no yaml example")
        let end = try XCTUnwrap(doc.range(of: "```", range: afterFence.upperBound..<doc.endIndex))
        let spec = try PipelineLoader.load(yaml: String(doc[afterFence.upperBound..<end.lowerBound]), baseDirectory: "/p",
                                           sourceName: "pipeline-format.md")
        XCTAssertEqual(spec.name, "fleet")
        XCTAssertEqual(spec.window, WindowSpec(size: 60_000, slide: 5_000, lateness: 2_000))
        XCTAssertEqual(spec.stages.map(\.name), ["coarse", "fine"])
        XCTAssertEqual(spec.stages[0].endpoints?.count, 2)
        XCTAssertEqual(spec.checkpoint, CheckpointSpec(directory: "/p/.geostream/fleet", every: .eventTime(10_000), keep: 3))
        XCTAssertEqual(spec.output, OutputSpec(endpoint: "tcp://127.0.0.1:5560", collect: "tcp://127.0.0.1:5561"))
    }

    /// Every `pipelines/*.yaml` in the repository must load; an empty folder has nothing to check.
    func testEveryRepositoryPipelineLoads() throws {
        let folder = Self.repository.appendingPathComponent("pipelines")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let yamlFiles = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        for name in yamlFiles {
            let path = folder.appendingPathComponent(name).path
            do {
                let spec = try PipelineLoader.load(path: path)
                XCTAssertFalse(spec.stages.isEmpty, name)
            } catch {
                XCTFail("\(error)")
            }
        }
    }
}
