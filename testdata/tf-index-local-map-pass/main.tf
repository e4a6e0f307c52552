# Job roles picked from a map by key (literal, from a variable, per for_each instance): each selected
# role trusts the service it is handed to.

variable "etl_role_key" {
  type    = string
  default = "etl"
}

variable "streams" {
  type = map(object({ role_arn = string, shards = number }))
  default = {
    clicks = { role_arn = "arn:aws:iam::123456789012:role/ingest/clickstream", shards = 2 }
  }
}

data "aws_iam_policy_document" "assume_glue" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "assume_firehose" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["firehose.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "etl" {
  name_prefix        = "etl-"
  assume_role_policy = data.aws_iam_policy_document.assume_glue.json
}

resource "aws_iam_role" "compaction" {
  name               = "compaction"
  assume_role_policy = data.aws_iam_policy_document.assume_glue.json
}

resource "aws_iam_role" "clickstream" {
  name               = "clickstream"
  path               = "/ingest/"
  assume_role_policy = data.aws_iam_policy_document.assume_firehose.json
}

locals {
  job_roles = {
    etl        = aws_iam_role.etl.arn
    compaction = aws_iam_role.compaction.arn
  }
}

resource "aws_glue_job" "nightly" {
  name     = "nightly-etl"
  role_arn = local.job_roles[var.etl_role_key]

  command {
    script_location = "s3://data-platform-scripts/nightly.py"
  }
}

resource "aws_glue_job" "compaction" {
  name     = "compaction"
  role_arn = local.job_roles["compaction"]

  command {
    script_location = "s3://data-platform-scripts/compaction.py"
  }
}

resource "aws_kinesis_firehose_delivery_stream" "stream" {
  for_each    = var.streams
  name        = each.key
  destination = "extended_s3"

  extended_s3_configuration {
    role_arn   = var.streams[each.key].role_arn
    bucket_arn = "arn:aws:s3:::data-platform-landing"
  }
}

# A per-function override map, empty here: try() falls back to the module's own role.
variable "role_overrides" {
  type    = map(object({ role_arn = string }))
  default = {}
}

resource "aws_iam_role" "exporter" {
  name = "exporter"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_lambda_function" "exporter" {
  function_name = "exporter"
  role          = try(var.role_overrides["exporter"].role_arn, aws_iam_role.exporter.arn)
  runtime       = "python3.12"
  handler       = "export.handler"
  filename      = "export.zip"
}
