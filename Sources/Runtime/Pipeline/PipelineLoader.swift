import Foundation
import Yams

/// Reads a pipeline file (`pipelines/*.yaml`, schema in docs/pipeline-format.md) into a validated
/// `PipelineSpec`.
///
/// Strict on purpose: an unknown key is an error (with the nearest known key suggested), not
/// ignored, because a misspelt `lateness` silently defaulting to 0 would drop events as late with
/// nothing pointing at the cause. Every error's description names the file, line and key path.
public enum PipelineLoader {
    /// Longest pipeline file read; a bigger one is surely not a pipeline.
    public static let maximumFileBytes = 1 << 20

    /// Loads the file at `path`; relative paths inside it resolve against its directory.
    ///
    /// Throws the problem nearest the top of the file; `diagnose(path:)` reports them all.
    public static func load(path: String) throws(PipelineError) -> PipelineSpec {
        let (text, directory) = try read(path: path)
        return try load(yaml: text, baseDirectory: directory, sourceName: path)
    }

    /// Loads pipeline text already in memory.
    ///
    /// - Parameters:
    ///   - baseDirectory: what relative paths in the file (the checkpoint directory) resolve
    ///     against; empty leaves them as written.
    ///   - sourceName: how errors name the text, usually its file name.
    public static func load(yaml: String, baseDirectory: String = "", sourceName: String = "pipeline") throws(PipelineError) -> PipelineSpec {
        let diagnosis = diagnose(yaml: yaml, baseDirectory: baseDirectory, sourceName: sourceName)
        guard let spec = diagnosis.spec else { throw diagnosis.errors[0] }
        return spec
    }

    /// Like `load(path:)`, but reports every independent problem rather than the first: the first
    /// in each top-level section and in each stage, plus every unknown top-level key, in file order.
    ///
    /// For `geostream check`, so a user fixing a file sees all its mistakes at once. Problems that
    /// follow from an earlier one (a key inside a section that is already wrong) are not reported.
    public static func diagnose(path: String) -> PipelineDiagnosis {
        do throws(PipelineError) {
            let (text, directory) = try read(path: path)
            return diagnose(yaml: text, baseDirectory: directory, sourceName: path)
        } catch {
            return PipelineDiagnosis(spec: nil, errors: [error])
        }
    }

    /// `diagnose(path:)` for text in memory.
    public static func diagnose(yaml: String, baseDirectory: String = "", sourceName: String = "pipeline") -> PipelineDiagnosis {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            return PipelineDiagnosis(spec: nil, errors: [syntaxError(error, source: sourceName)])
        } catch {
            return PipelineDiagnosis(spec: nil, errors: [PipelineError(code: .syntax, source: sourceName, message: "not YAML: \(error)")])
        }
        guard let root else {
            return PipelineDiagnosis(spec: nil, errors: [PipelineError(
                code: .syntax, source: sourceName, line: 1,
                message: "the file is empty; a pipeline needs at least name, window and stages")])
        }
        var parser = PipelineFileParser(source: sourceName, baseDirectory: baseDirectory)
        let spec = parser.pipeline(LocatedNode(node: root, path: "", keyLine: root.mark?.line ?? 1, source: sourceName))
        // Sorting is stable, so problems on one line keep the order they were found in.
        let errors = parser.problems.enumerated()
            .sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            .map(\.element)
        return PipelineDiagnosis(spec: errors.isEmpty ? spec : nil, errors: errors)
    }

    /// The file's text and its absolute directory.
    private static func read(path: String) throws(PipelineError) -> (text: String, directory: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PipelineError(code: .fileNotFound, source: path, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw PipelineError(code: .unreadable, source: path, message: "is a directory, not a pipeline file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError(code: .unreadable, source: path, message: "cannot be read (permissions?)")
        }
        guard data.count <= maximumFileBytes else {
            throw PipelineError(code: .unreadable, source: path,
                                message: "is \(data.count) bytes; a pipeline file is at most \(maximumFileBytes) bytes")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw PipelineError(code: .unreadable, source: path, message: "is not UTF-8 text")
        }
        return (text, URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path)
    }

    private static func syntaxError(_ error: YamlError, source: String) -> PipelineError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            var message = "YAML syntax: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return PipelineError(code: .syntax, source: source, line: mark.line, column: mark.column, message: message)
        case let .duplicatedKeysInMapping(duplicates, context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return PipelineError(code: .duplicate, source: source, line: context.mark.line, column: context.mark.column,
                                 message: "key \(keys) appears more than once in the same mapping")
        case let .reader(problem, offset, _, yaml):
            let line = offset.map { offset in yaml.prefix(offset).reduce(1) { $1 == "\n" ? $0 + 1 : $0 } }
            return PipelineError(code: .syntax, source: source, line: line, message: "not readable as YAML: \(problem)")
        default:
            return PipelineError(code: .syntax, source: source, message: "not YAML: \(error)")
        }
    }
}

/// The outcome of `PipelineLoader.diagnose`: a spec when the file is valid, else its problems.
public struct PipelineDiagnosis: Hashable, Sendable {
    /// Set exactly when `errors` is empty.
    public var spec: PipelineSpec?
    /// In file order (by line).
    public var errors: [PipelineError]

    public init(spec: PipelineSpec?, errors: [PipelineError]) {
        self.spec = spec
        self.errors = errors
    }
}

extension PipelineSpec {
    /// `path` as the runtime should open it: absolute paths unchanged, relative ones joined to the
    /// pipeline file's directory (unchanged when the spec was built in code).
    public func resolvedPath(_ path: String) -> String {
        PipelineFileParser.resolve(path, against: baseDirectory)
    }
}

