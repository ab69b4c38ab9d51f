# ruff: noqa: E501  (corpus data: one expression per line reads best)
"""Expressions for the differential tests: a hand-written corpus of what policies are built from,
and a seeded generator of well-typed random expressions (so the corpus is the same on every run).

Every expression is valid Terraform: a corpus entry that Terraform rejects would fail the whole
``terraform apply`` that evaluates them.
"""

from __future__ import annotations

import random

CONTEXT = r'''
variable "names" {
  default = ["alpha", "beta", "gamma"]
}

variable "tags" {
  default = { env = "prod", team = "data", "cost-center" = "42" }
}

variable "count_n" {
  type    = number
  default = 3
}

variable "nothing" {
  type    = string
  default = null
}

variable "settings" {
  type = object({
    enabled = optional(bool, true)
    prefix  = optional(string, "app")
    ids     = optional(list(string), [])
    nested  = optional(object({ level = optional(number, 1) }), {})
  })
  default = { ids = ["i-1"] }
}

variable "letters" {
  type    = set(string)
  default = ["b", "a", "b", "c"]
}

variable "ports" {
  type    = list(number)
  default = [443, 80, 8080]
}

locals {
  account = "123456789012"
  bucket  = "acme-data"
  arns    = [for n in var.names : "arn:aws:s3:::${n}"]
  nested  = { a = { b = [1, 2, { c = "d" }] }, e = [] }
  doc = {
    Version = "2012-10-17"
    Statement = [
      { Sid = "Read", Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::${local.bucket}/*" },
      { Sid = "Deny", Effect = "Deny", Action = "s3:*", Resource = "*",
        Condition = { Bool = { "aws:SecureTransport" = "false" } } },
    ]
  }
  principals = {
    readers = ["arn:aws:iam::${local.account}:role/reader", "arn:aws:iam::${local.account}:role/auditor"]
    writers = ["arn:aws:iam::${local.account}:role/writer"]
  }
}
'''

TEMPLATE_FILES = {
    "policy.json.tpl": (
        '{\n  "Version": "2012-10-17",\n  "Statement": [\n'
        '%{ for i, arn in arns ~}\n'
        '    {"Sid": "S${i}", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "${arn}/*"}%{ if i < length(arns) - 1 },%{ endif }\n'
        '%{ endfor ~}\n'
        '  ]\n}\n'),
    "static.json": '{"Version": "2012-10-17", "Statement": []}\n',
}

HAND = [
    # literals, templates, heredocs
    '"plain"', '42', '-7', '3.25', '1e3', 'true', 'null == null', '"a\\"b\\\\c\\n\\t\\u00e9"',
    '"$${not_interpolated} and %%{not_a_directive}"',
    '"arn:aws:s3:::${local.bucket}/*"', '"${local.account}"', '"${var.count_n}"', '"n=${var.count_n + 1}"',
    '"%{ if var.settings.enabled }on%{ else }off%{ endif }"',
    '"%{ for n in var.names }${n},%{ endfor }"',
    '"%{ for i, n in var.names ~} [${i}]${n} %{~ endfor }"',
    '"x ${~ " y " ~} z"',
    '<<EOT\nline ${local.bucket}\n  kept indent\nEOT\n',
    '<<-EOT\n    {\n      "Bucket": "${local.bucket}"\n    }\n    EOT\n',
    '<<-EOT\n\n    after blank\n\n      deeper\n    EOT\n',
    # references, index, attribute, splat
    'var.names[1]', 'var.tags["cost-center"]', 'var.tags.env', 'local.nested.a.b[2].c', 'local.nested["a"]["b"][0]',
    'var.settings.prefix', 'var.settings.nested.level', 'var.settings.ids', 'var.nothing == null',
    'local.doc.Statement[*].Sid', 'local.doc.Statement.*.Effect', '[for s in local.doc.Statement : s.Action]',
    'var.letters', 'tolist(var.letters)[0]', 'length(var.letters)', 'var.ports',
    # for expressions
    '[for n in var.names : upper(n) if n != "beta"]', '{for n in var.names : n => length(n)}',
    '{for k, v in var.tags : v => k}', '{for n in ["a", "b", "a"] : n => n...}', '[for i, n in var.names : "${i}:${n}"]',
    '[for k, v in var.tags : "${k}=${v}"]', '{for s in local.doc.Statement : s.Sid => s.Effect}',
    'flatten([for k, arns in local.principals : [for a in arns : { role = k, arn = a }]])',
    '[for x in var.letters : x]', '{for p in var.ports : tostring(p) => p > 100}',
    # conditionals and operators
    'var.count_n > 2 ? "many" : "few"', 'var.settings.enabled ? local.arns : []', 'true ? 1 : "a"',
    '1 + 2 * 3 - 4 / 2', '7 % 3', '-7 % 3', '7 / 2', '1 / 3', '0.1 + 0.2', '2 * 0.5', '10 / 4 * 2',
    '"${1 / 3}"', '"${0.1 + 0.2}"', '"${7 / 2}"', '"${2e3}"', 'var.count_n == 3 && !false || false',
    '"3" + 1', '"a" == "a"', '1 == "1"', '[1, 2] == [1, 2]', '{ a = 1 } == { a = 1 }', 'var.names != []',
    '!(1 < 2)', '5 >= 5', 'null == var.nothing',
    # functions around policies
    'jsonencode(local.doc)', 'jsonencode({ b = 1, a = [true, null, "x<y>&"] })', 'jsonencode(var.letters)',
    'jsonencode(1 / 3)', 'jsonencode(0.5)', 'jsonencode("\\u2028")',
    'jsondecode("{\\"b\\": [1, 2.5, \\"x\\"], \\"a\\": {\\"c\\": null}}")', 'jsondecode(jsonencode(local.doc))',
    'format("arn:aws:iam::%s:role/%s", local.account, "app")', 'format("%d-%05d-%.2f-%q-%t-%%", 7, 42, 3.14159, "q", true)',
    'format("%v and %v", 1, "s")', 'format("%-6s|%6s|", "ab", "cd")', 'format("%[2]s %[1]s", "a", "b")',
    'formatlist("arn:aws:s3:::%s/*", var.names)', 'formatlist("%s=%s", keys(var.tags), values(var.tags))',
    'join(",", var.names)', 'join("", [])', 'join("-", [1, true, "x"])', 'split(",", "a,,b")', 'split(",", "")',
    'split("", "abc")', 'concat(var.names, ["delta"], [])', 'merge(var.tags, { env = "dev" }, null)',
    'merge({ a = 1 }, { b = [2] })', 'flatten([["a", ["b"]], [], "c"])', 'distinct(["b", "a", "b", "c", "a"])',
    'compact(["a", "", "b", null])', 'lookup(var.tags, "team", "none")', 'lookup(var.tags, "owner", "none")',
    'element(var.names, 4)', 'element(var.names, 0)', 'coalesce("", null, "first", "second")', 'coalesce(null, 2)',
    'tolist(["a", "b"])', 'toset(["b", "a", "b"])', 'tomap({ a = 1, b = "x" })', 'tomap({ a = true })',
    'keys(var.tags)', 'values(var.tags)', 'lower("ÀBC-Déf")', 'upper("straße")', 'title("hello big world")',
    'replace("a.b.c", ".", "/")', 'replace("aXbXXc", "/X+/", "-")', 'replace("2024-01-02", "/(\\\\d+)-(\\\\d+)-(\\\\d+)/", "$3/$2/$1")',
    'trimprefix("arn:aws:s3:::bucket", "arn:aws:s3:::")', 'trimsuffix("file.json", ".json")', 'trimprefix("abc", "x")',
    'trimspace("  \\n spaced \\t ")', 'trim("??hello!!", "?!")', 'length(var.names)', 'length("héllo")', 'length(var.tags)',
    'contains(var.names, "beta")', 'contains(var.names, "zeta")', 'contains(var.ports, 80)',
    'try(var.tags.owner, "fallback")', 'try(local.nested.a.b[9], local.nested.a.b[0])', 'can(var.tags.owner)',
    'can(var.tags.env)', 'templatefile("${path.module}/policy.json.tpl", { arns = local.arns })',
    'jsondecode(templatefile("policy.json.tpl", { arns = ["arn:aws:s3:::x"] }))', 'file("${path.module}/static.json")',
    'fileexists("static.json")', 'fileexists("missing.json")', 'path.module', 'terraform.workspace',
    # more collection functions
    'range(3)', 'range(1, 4)', 'range(10, 0, -3)', 'zipmap(["a", "b"], [1, 2])', 'slice(var.names, 1, 3)',
    'reverse(var.names)', 'sort(["b", "c", "a"])', 'index(var.names, "gamma")', 'one(["x"])', 'one([])',
    'setunion(["a", "b"], ["c", "a"])', 'setintersection(["a", "b"], ["b", "c"])', 'setsubtract(["a", "b"], ["a"])',
    'sum([1, 2, 3.5])', 'min(3, 1, 2)', 'max(var.ports...)', 'abs(-4)', 'ceil(1.2)', 'floor(-1.2)',
    'alltrue([true, var.settings.enabled])', 'anytrue([false])', 'chunklist(["a", "b", "c"], 2)',
    'transpose({ a = ["1", "2"], b = ["2"] })', 'substr("hello world", 6, 5)', 'substr("hello", -3, -1)',
    'chomp("line\\n\\n")', 'startswith("arn:aws:s3", "arn:")', 'endswith("x.json", ".yaml")',
    'strcontains("hello", "ell")', 'regex("[a-z]+", "123abc456")', 'regexall("[0-9]+", "a1b22c333")',
    'base64encode("policy")', 'base64decode("cG9saWN5")', 'md5("x")', 'sha256("x")', 'tostring(12)', 'tonumber("1.5")',
    'tobool("true")', 'coalescelist([], ["x"])', 'concat([[1]], [[2, 3]])', 'flatten([local.arns, local.arns])',
    'jsonencode({ for k, v in var.tags : k => upper(v) })', 'jsonencode([for p in var.ports : p * 2])',
    'jsonencode({ Statement = [for r in local.principals.readers : { Effect = "Allow", Principal = { AWS = r } }] })',
    'distinct(flatten(values(local.principals)))', 'length(flatten(values(local.principals)))',
    'nonsensitive(sensitive("y"))', 'basename("modules/app/main.tf")', 'basename("dir/")', 'basename("")',
    'dirname("modules/app/main.tf")', 'dirname("modules/app/")', 'dirname("main.tf")', 'dirname("/etc")',
    'replace("{\\"Resource\\": \\"arn:aws:s3:::_BUCKET_/*\\"}", "_BUCKET_", local.bucket)',
    'distinct(["a", local.bucket, "a", "acme-data"])', 'toset([local.account, local.account, "x"])', 'split(":", "arn:aws:iam::123456789012:role/app")[4]',
    'element(split("/", "arn:aws:iam::123456789012:role/path/app"), 2)',
    '"arn:aws:iam::${split(":", "arn:aws:sts::123456789012:assumed-role/x/y")[4]}:root"',
]

# --------------------------------------------------------------------------------------------------
# Generated expressions
# --------------------------------------------------------------------------------------------------

_WORDS = ["alpha", "Beta", "s3:GetObject", "arn:aws:s3:::b", "x/y", "", "a-b", "KMS", "1", "é"]


class _Gen:
    """Builds well-typed expressions over the CONTEXT's variables and locals."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def string(self, d: int) -> str:
        r = self.r
        if d <= 0:
            return r.choice([f'"{w}"' for w in _WORDS] + ["local.bucket", "local.account", "var.names[0]",
                                                          "var.tags.env", "var.settings.prefix"])
        c = r.randrange(16)
        if c == 0:
            return f'upper({self.string(d - 1)})'
        if c == 1:
            return f'lower({self.string(d - 1)})'
        if c == 2:
            return f'"${{{self.string(d - 1)}}}-${{{self.number(d - 1)}}}"'
        if c == 3:
            return f'join("{r.choice([",", "/", ""])}", {self.strings(d - 1)})'
        if c == 4:
            return f'replace({self.string(d - 1)}, "{r.choice(["a", "/", ":", "-"])}", "{r.choice(["", "_", "::"])}")'
        if c == 5:
            return f'format("%s:%s", {self.string(d - 1)}, {self.string(d - 1)})'
        if c == 6:
            return f'({self.boolean(d - 1)} ? {self.string(d - 1)} : {self.string(d - 1)})'
        if c == 7:
            return f'trimprefix({self.string(d - 1)}, "{r.choice(["arn:", "a", ""])}")'
        if c == 8:
            return f'trimsuffix({self.string(d - 1)}, "{r.choice(["/*", "b", ""])}")'
        if c == 9:
            return f'element(concat(["z"], {self.strings(d - 1)}), {r.randrange(5)})'
        if c == 10:
            return f'lookup({self.map(d - 1)}, "{r.choice(["env", "k", "x"])}", {self.string(d - 1)})'
        if c == 11:
            return f'coalesce({self.string(d - 1)}, "dflt")'
        if c == 12:
            return f'jsonencode({self.value(d - 1)})'
        if c == 13:
            return f'tostring({self.number(d - 1)})'
        if c == 14:
            return f'substr({self.string(d - 1)}, {r.randrange(3)}, {r.choice([-1, 1, 2])})'
        return f'"%{{ if {self.boolean(d - 1)} }}{r.choice(_WORDS[:4])}%{{ else }}${{{self.string(d - 1)}}}%{{ endif }}"'

    def number(self, d: int) -> str:
        r = self.r
        if d <= 0:
            return r.choice(["0", "1", "7", "-3", "2.5", "var.count_n", "length(var.names)", "1e2"])
        c = r.randrange(8)
        if c == 0:
            return f'({self.number(d - 1)} + {self.number(d - 1)})'
        if c == 1:
            return f'({self.number(d - 1)} * {self.number(d - 1)})'
        if c == 2:
            return f'({self.number(d - 1)} - {self.number(d - 1)})'
        if c == 3:
            return f'({self.number(d - 1)} / {r.choice(["2", "3", "4", "8"])})'
        if c == 4:
            return f'length({self.strings(d - 1)})'
        if c == 5:
            return f'max({self.number(d - 1)}, {self.number(d - 1)})'
        if c == 6:
            return f'(floor({self.number(d - 1)}) % {r.choice(["3", "5"])})'
        return f'length({self.string(d - 1)})'

    def boolean(self, d: int) -> str:
        r = self.r
        if d <= 0:
            return r.choice(["true", "false", "var.settings.enabled", "var.nothing == null"])
        c = r.randrange(7)
        if c == 0:
            return f'({self.string(d - 1)} == {self.string(d - 1)})'
        if c == 1:
            return f'contains({self.strings(d - 1)}, {self.string(d - 1)})'
        if c == 2:
            return f'({self.number(d - 1)} > {self.number(d - 1)})'
        if c == 3:
            return f'!({self.boolean(d - 1)})'
        if c == 4:
            return f'({self.boolean(d - 1)} && {self.boolean(d - 1)})'
        if c == 5:
            return f'({self.boolean(d - 1)} || {self.boolean(d - 1)})'
        return f'can({self.map(d - 1)}.env)'

    def strings(self, d: int) -> str:
        r = self.r
        if d <= 0:
            return r.choice(['["a", "b"]', "var.names", "local.arns", "[]", 'tolist(var.letters)', "keys(var.tags)"])
        c = r.randrange(9)
        if c == 0:
            return f'concat({self.strings(d - 1)}, {self.strings(d - 1)})'
        if c == 1:
            return f'[for s in {self.strings(d - 1)} : {self.string_of("s", d - 1)}]'
        if c == 2:
            return f'[for s in {self.strings(d - 1)} : s if {self.bool_of("s", d - 1)}]'
        if c == 3:
            return f'distinct({self.strings(d - 1)})'
        if c == 4:
            return f'compact({self.strings(d - 1)})'
        if c == 5:
            return f'formatlist("%s/*", {self.strings(d - 1)})'
        if c == 6:
            return f'split("{r.choice([",", ":"])}", {self.string(d - 1)})'
        if c == 7:
            return f'sort({self.strings(d - 1)})'
        return f'values({self.map(d - 1)})'

    def string_of(self, var: str, d: int) -> str:
        return self.r.choice([f'upper({var})', f'"{{{var}}}"'.replace("{", "${", 1), f'"${{{var}}}/*"',
                              f'replace({var}, "a", "A")', f'"${{{var}}}-${{{self.string(0)}}}"'])

    def bool_of(self, var: str, d: int) -> str:
        return self.r.choice([f'{var} != ""', f'length({var}) > 3', f'{var} == {self.string(0)}',
                              f'startswith({var}, "a")'])

    def map(self, d: int) -> str:
        r = self.r
        if d <= 0:
            return r.choice(["var.tags", '{ env = "x", k = "v" }', "{}"])
        c = r.randrange(4)
        if c == 0:
            return f'merge({self.map(d - 1)}, {self.map(d - 1)})'
        if c == 1:
            return f'{{ for s in {self.strings(d - 1)} : s => upper(s)... }}'.replace("upper(s)...", "upper(s)")\
                if False else f'{{ for s in distinct({self.strings(d - 1)}) : s => upper(s) }}'
        if c == 2:
            return f'{{ for k, v in {self.map(d - 1)} : k => "${{v}}!" }}'
        return f'zipmap(["env", "k"], [{self.string(d - 1)}, {self.string(d - 1)}])'

    def value(self, d: int) -> str:
        c = self.r.randrange(5)
        if c == 0:
            return self.string(d)
        if c == 1:
            return self.number(d)
        if c == 2:
            return self.strings(d)
        if c == 3:
            return self.map(d)
        return f'{{ Effect = "Allow", Action = {self.strings(d)}, Resource = {self.string(d)}, N = {self.number(d)} }}'


def generated(count: int, seed: int = 403) -> list[str]:
    gen = _Gen(random.Random(seed))
    out = []
    for _ in range(count):
        depth = gen.r.randrange(1, 5)
        out.append(gen.value(depth))
    return out
