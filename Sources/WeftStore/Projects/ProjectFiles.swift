import Foundation
import WeftDomain
import Yams

/// The YAML formats of PRODUCT.md §4: `project.yaml`, `pipelines/<p>/pipeline.yaml`, `jobs/<job>.yaml`.
public enum ProjectFiles {
    /// A decoded job plus the line of each task (for attaching later problems to lines).
    public struct DecodedJob: Sendable {
        public var job: Job
        public var taskLines: [String: Int]
    }

    // MARK: jobs

    /// Decodes a job file; throws `.invalid` with file:line problems.
    public static func decodeJob(_ text: String, file: String) throws(WeftError) -> DecodedJob {
        var r = YAMLReader(file: file)
        guard let root = r.root(text) else { throw .invalid(r.problems) }
        var job = Job(name: "", fabric: "")
        var taskLines: [String: Int] = [:]
        var haveName = false, haveFabric = false
        let allowed: Set<String> = [
            "name", "description", "fabric", "schedule", "enabled", "max_concurrent_runs", "based_on", "notifications", "tasks",
        ]
        for (key, _, v) in r.fields(root, allowed: allowed, context: "the job") {
            switch key {
            case "name": if let s = r.string(v, key) { job.name = s; haveName = true }
            case "description": job.description = r.string(v, key) ?? ""
            case "fabric": if let s = r.string(v, key) { job.fabric = s; haveFabric = true }
            case "enabled": job.enabled = r.bool(v, key) ?? false
            case "max_concurrent_runs": job.maxConcurrentRuns = r.int(v, key) ?? 1
            case "schedule":
                var s = JobSchedule(cron: "")
                var haveCron = false
                var timezoneNode: Node?
                for (k, _, sv) in r.fields(v, allowed: ["cron", "timezone", "catchup"], context: "schedule") {
                    switch k {
                    case "cron": if let c = r.string(sv, "schedule.cron") { s.cron = c; haveCron = true }
                    case "timezone": s.timezone = r.string(sv, "schedule.timezone") ?? "UTC"; timezoneNode = sv
                    default: s.catchup = r.bool(sv, "schedule.catchup") ?? false
                    }
                }
                if !haveCron { r.fail(v, "schedule needs a cron expression") }
                // A timezone problem points at the timezone's line, a cron problem at the schedule (its cron).
                for p in JobValidator.scheduleProblems(s) { r.fail(p.message.contains("timezone") ? (timezoneNode ?? v) : v, p.message) }
                job.schedule = s
            case "based_on":
                var b = BasedOn(job: "", commit: "")
                for (k, _, bv) in r.fields(v, allowed: ["job", "commit"], context: "based_on") {
                    if k == "job" { b.job = r.string(bv, "based_on.job") ?? "" } else { b.commit = r.string(bv, "based_on.commit") ?? "" }
                }
                job.basedOn = b
            case "notifications":
                for (k, _, nv) in r.fields(v, allowed: ["on_failure", "on_success"], context: "notifications") {
                    if k == "on_failure" { job.notifications.onFailure = r.stringList(nv, k) } else { job.notifications.onSuccess = r.stringList(nv, k) }
                }
            default:  // tasks
                guard case .sequence(let seq) = v else {
                    r.fail(v, "tasks must be a list")
                    continue
                }
                for item in seq {
                    if let t = decodeTask(item, &r) {
                        if let first = taskLines[t.key] {
                            // Two tasks with one key: the second is the one to rename or remove.
                            let line = item.mark?.line
                            r.problems.append(
                                Problem(
                                    file: file, line: line,
                                    "task key '\(t.key)' is used twice (lines \(first) and \(line.map(String.init) ?? "?")); task keys must be unique in a job — rename or remove one"
                                ))
                            continue
                        }
                        job.tasks.append(t)
                        taskLines[t.key] = item.mark?.line
                    }
                }
            }
        }
        if !haveName { r.fail(root, "the job has no name") }
        if !haveFabric { r.fail(root, "the job names no fabric") }
        guard r.problems.isEmpty else { throw .invalid(r.problems) }
        return DecodedJob(job: job, taskLines: taskLines)
    }

    static func decodeTask(_ node: Node, _ r: inout YAMLReader) -> JobTask? {
        let allowed: Set<String> = ["key", "pipeline", "config", "overrides", "script", "depends_on", "run_if", "retries", "timeout"]
        var key: String?
        var pipeline: String?
        var config: String?
        var overrides: [String: ConfigValue] = [:]
        var script: String?
        var task = JobTask(key: "", action: .script(""))
        for (k, _, v) in r.fields(node, allowed: allowed, context: "a task") {
            switch k {
            case "key": key = r.string(v, "key")
            case "pipeline": pipeline = r.string(v, "pipeline")
            case "config": config = r.string(v, "config")
            case "script": script = r.string(v, "script")
            case "depends_on": task.dependsOn = r.stringList(v, "depends_on")
            case "run_if":
                if let s = r.string(v, "run_if") {
                    if let ri = RunIf(rawValue: s) { task.runIf = ri } else { r.fail(v, "run_if must be all_success or all_done, not '\(s)'") }
                }
            case "retries": task.retries = r.int(v, "retries") ?? 0
            case "timeout": task.timeout = r.double(v, "timeout")
            default:  // overrides
                for (ok, _, ov) in r.fields(v, allowed: Set(mappingKeys(v)), context: "overrides") {
                    if let value = r.configValue(ov, "overrides.\(ok)") { overrides[ok] = value }
                }
            }
        }
        guard let key else {
            r.fail(node, "a task has no key")
            return nil
        }
        task.key = key
        switch (pipeline, script) {
        case (let p?, nil): task.action = .pipeline(name: p, config: config, overrides: overrides)
        case (nil, let s?):
            task.action = .script(s)
            if config != nil || !overrides.isEmpty { r.fail(node, "task '\(key)': config and overrides apply only to pipeline tasks") }
        case (_?, _?): r.fail(node, "task '\(key)' has both pipeline and script; give one")
        case (nil, nil): r.fail(node, "task '\(key)' needs either pipeline or script")
        }
        return task
    }

    static func mappingKeys(_ node: Node) -> [String] {
        guard case .mapping(let m) = node else { return [] }
        return m.keys.compactMap(\.string)
    }

    /// Renders a job as YAML in the canonical field order.
    public static func encodeJob(_ job: Job) -> String {
        var y = YAMLWriter()
        y.field("name", job.name)
        if !job.description.isEmpty { y.field("description", job.description) }
        y.field("fabric", job.fabric)
        if let s = job.schedule {
            y.line("schedule:")
            y.field("cron", s.cron, indent: 1)
            y.field("timezone", s.timezone, indent: 1)
            if s.catchup { y.raw("catchup", "true", indent: 1) }
        }
        y.raw("enabled", job.enabled ? "true" : "false")
        y.raw("max_concurrent_runs", String(job.maxConcurrentRuns))
        if let b = job.basedOn {
            y.line("based_on:")
            y.field("job", b.job, indent: 1)
            y.field("commit", b.commit, indent: 1)
        }
        if !job.notifications.isEmpty {
            y.line("notifications:")
            if !job.notifications.onFailure.isEmpty { y.list("on_failure", job.notifications.onFailure, indent: 1) }
            if !job.notifications.onSuccess.isEmpty { y.list("on_success", job.notifications.onSuccess, indent: 1) }
        }
        y.line("tasks:")
        for t in job.tasks {
            y.line("  - key: \(YAMLWriter.quote(t.key))")
            switch t.action {
            case .pipeline(let name, let config, let overrides):
                y.field("pipeline", name, indent: 2)
                if let config { y.field("config", config, indent: 2) }
                if !overrides.isEmpty {
                    y.line("    overrides:")
                    for k in overrides.keys.sorted() { if let v = overrides[k] { y.value(k, v, indent: 3) } }
                }
            case .script(let s): y.field("script", s, indent: 2)
            }
            if !t.dependsOn.isEmpty { y.list("depends_on", t.dependsOn, indent: 2) }
            if t.runIf != .allSuccess { y.raw("run_if", t.runIf.rawValue, indent: 2) }
            if t.retries != 0 { y.raw("retries", String(t.retries), indent: 2) }
            if let to = t.timeout { y.raw("timeout", YAMLWriter.number(to), indent: 2) }
        }
        return y.text
    }

    // MARK: pipelines

    /// Decodes a pipeline file and validates its instances against its schema.
    public static func decodePipeline(_ text: String, file: String) throws(WeftError) -> Pipeline {
        var r = YAMLReader(file: file)
        guard let root = r.root(text) else { throw .invalid(r.problems) }
        var p = Pipeline(name: "", kind: .python, entry: "")
        var instanceNodes: [(String, Node, [(String, Node, Node)])] = []
        for (key, _, v) in r.fields(root, allowed: ["name", "kind", "entry", "description", "test", "test_timeout", "config"], context: "the pipeline") {
            switch key {
            case "name": p.name = r.string(v, key) ?? ""
            case "description": p.description = r.string(v, key) ?? ""
            case "entry": p.entry = r.string(v, key) ?? ""
            case "test": p.test = r.string(v, key).flatMap { $0.isEmpty ? nil : $0 }
            case "test_timeout":
                if let d = r.double(v, key) {
                    if d > 0 && d <= 86_400 { p.testTimeout = d } else { r.fail(v, "test_timeout must be a number of seconds between 1 and 86400, not \(d)") }
                }
            case "kind":
                if let s = r.string(v, key) {
                    if let k = PipelineKind(rawValue: s) { p.kind = k } else { r.fail(v, "kind must be python, pyspark or shell, not '\(s)'") }
                }
            default:
                for (ck, _, cv) in r.fields(v, allowed: ["schema", "instances"], context: "config") {
                    if ck == "schema" {
                        guard case .sequence(let seq) = cv else {
                            r.fail(cv, "config.schema must be a list of fields")
                            continue
                        }
                        for item in seq { if let f = decodeField(item, &r) { p.schema.append(f) } }
                    } else {
                        guard case .mapping(let m) = cv else {
                            r.fail(cv, "config.instances must map instance names to values")
                            continue
                        }
                        for (ik, iv) in m {
                            guard let name = ik.string else { continue }
                            instanceNodes.append((name, iv, r.fields(iv, allowed: Set(mappingKeys(iv)), context: "instance \(name)")))
                        }
                    }
                }
            }
        }
        if p.name.isEmpty { r.fail(root, "the pipeline has no name") }
        if p.entry.isEmpty { r.fail(root, "the pipeline has no entry (the file to run, e.g. main.py)") }
        for (name, _, entries) in instanceNodes {
            var values: [String: ConfigValue] = [:]
            for (k, kn, v) in entries {
                guard let field = p.field(named: k) else {
                    r.fail(kn, "instance \(name): unknown field '\(k)' (not in config.schema)")
                    continue
                }
                guard let raw = r.configValue(v, "\(name).\(k)") else { continue }
                let value = ConfigValidator.coerce(raw, for: field)
                for problem in ConfigValidator.problems(of: value, for: field, context: "instance \(name)") {
                    r.fail(v, problem.message)
                }
                values[k] = value
            }
            p.instances[name] = values
        }
        guard r.problems.isEmpty else { throw .invalid(r.problems) }
        return p
    }

    static func decodeField(_ node: Node, _ r: inout YAMLReader) -> ConfigField? {
        var f = ConfigField(name: "", type: .string)
        var defaultNode: Node?
        for (k, _, v) in r.fields(node, allowed: ["name", "type", "required", "default", "min", "max", "description"], context: "a schema field") {
            switch k {
            case "name": f.name = r.string(v, "name") ?? ""
            case "type":
                if let s = r.string(v, "type") {
                    if let t = ConfigFieldType(rawValue: s) { f.type = t } else {
                        r.fail(v, "type must be one of \(ConfigFieldType.allCases.map(\.rawValue).joined(separator: ", ")), not '\(s)'")
                    }
                }
            case "required": f.required = r.bool(v, "required") ?? false
            case "default": defaultNode = v
            case "min": f.min = r.double(v, "min")
            case "max": f.max = r.double(v, "max")
            default: f.description = r.string(v, "description") ?? ""
            }
        }
        if f.name.isEmpty {
            r.fail(node, "a schema field has no name")
            return nil
        }
        if let d = defaultNode, let raw = r.configValue(d, "\(f.name).default") {
            let value = ConfigValidator.coerce(raw, for: f)
            for problem in ConfigValidator.problems(of: value, for: f, context: "default") { r.fail(d, problem.message) }
            f.defaultValue = value
        }
        return f
    }

    /// Renders a pipeline as YAML.
    public static func encodePipeline(_ p: Pipeline) -> String {
        var y = YAMLWriter()
        y.field("name", p.name)
        if !p.description.isEmpty { y.field("description", p.description) }
        y.raw("kind", p.kind.rawValue)
        y.field("entry", p.entry)
        if let t = p.test { y.field("test", t) }
        if let t = p.testTimeout { y.raw("test_timeout", YAMLWriter.number(t)) }
        y.line("config:")
        y.line("  schema:")
        for f in p.schema {
            y.line("    - name: \(YAMLWriter.quote(f.name))")
            y.raw("type", f.type.rawValue, indent: 3)
            if f.required { y.raw("required", "true", indent: 3) }
            if let d = f.defaultValue { y.value("default", d, indent: 3) }
            if let m = f.min { y.raw("min", YAMLWriter.number(m), indent: 3) }
            if let m = f.max { y.raw("max", YAMLWriter.number(m), indent: 3) }
            if !f.description.isEmpty { y.field("description", f.description, indent: 3) }
        }
        y.line("  instances:")
        for name in p.instances.keys.sorted() {
            let values = p.instances[name] ?? [:]
            if values.isEmpty {
                y.line("    \(YAMLWriter.quote(name)): {}")
                continue
            }
            y.line("    \(YAMLWriter.quote(name)):")
            for k in values.keys.sorted() { if let v = values[k] { y.value(k, v, indent: 3) } }
        }
        return y.text
    }

    // MARK: project.yaml

    /// Decodes `project.yaml` (name, description).
    public static func decodeProject(_ text: String, file: String) throws(WeftError) -> (name: String, description: String) {
        var r = YAMLReader(file: file)
        guard let root = r.root(text) else { throw .invalid(r.problems) }
        var name = "", description = ""
        for (k, _, v) in r.fields(root, allowed: ["name", "description"], context: "project.yaml") {
            if k == "name" { name = r.string(v, k) ?? "" } else { description = r.string(v, k) ?? "" }
        }
        guard r.problems.isEmpty else { throw .invalid(r.problems) }
        return (name, description)
    }

    /// Renders `project.yaml`.
    public static func encodeProject(name: String, description: String) -> String {
        var y = YAMLWriter()
        y.field("name", name)
        y.field("description", description)
        return y.text
    }
}
