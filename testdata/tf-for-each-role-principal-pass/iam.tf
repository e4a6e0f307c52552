# One execution role per workload, each trusting the service that runs it. Terraform creates three
# roles (aws_iam_role.workload["api"], ["reports"], ["ingest"]), each with its own trust policy.
locals {
  workloads = {
    api     = { service = "lambda", path = "/app/" }
    reports = { service = "glue", path = "/etl/" }
    ingest  = { service = "states", path = "/etl/" }
  }
}

resource "aws_iam_role" "workload" {
  for_each = local.workloads

  name = "workload-${each.key}"
  path = each.value.path
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "${each.value.service}.amazonaws.com" }
    }]
  })
}
