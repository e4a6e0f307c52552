# Roles gathered with for expressions, each handed to the service it trusts; the Glue jobs are all
# disabled, so the filtered for_each creates none and nothing is passed to Glue.

variable "jobs" {
  type = map(object({ enabled = bool, schedule = string }))
  default = {
    nightly  = { enabled = false, schedule = "cron(0 2 * * ? *)" }
    backfill = { enabled = false, schedule = "cron(0 4 ? * SUN *)" }
  }
}

resource "aws_iam_role" "reports" {
  name = "reports"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "lambda.amazonaws.com" } }]
  })
}

resource "aws_iam_role" "build" {
  name = "build"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "codebuild.amazonaws.com" } }]
  })
}

locals {
  services = {
    reports = { role = aws_iam_role.reports, public = false }
    status  = { role = aws_iam_role.build, public = true }
  }
  private_service_roles = { for name, svc in local.services : name => svc.role.arn if !svc.public }

  pipeline_roles = [
    { stage = "build", arn = aws_iam_role.build.arn },
    { stage = "deploy", arn = aws_iam_role.reports.arn },
  ]
  enabled_jobs = { for name, job in var.jobs : name => job if job.enabled }
}

resource "aws_lambda_function" "reports" {
  function_name = "reports"
  role          = local.private_service_roles["reports"]
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  filename      = "reports.zip"
}

resource "aws_codebuild_project" "build" {
  name         = "build"
  service_role = [for r in local.pipeline_roles : r.arn if r.stage == "build"][0]

  artifacts {
    type = "NO_ARTIFACTS"
  }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source {
    type = "NO_SOURCE"
  }
}

resource "aws_glue_job" "scheduled" {
  for_each = local.enabled_jobs
  name     = each.key
  role_arn = aws_iam_role.reports.arn

  command {
    script_location = "s3://analytics-jobs/${each.key}.py"
  }
}
