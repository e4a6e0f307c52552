# One role per kind of runtime, named by the kind.
locals {
  runtime_principals = {
    lambda = "lambda.amazonaws.com"
    batch  = "batch.amazonaws.com"
  }
}

resource "aws_iam_role" "runtime" {
  for_each = local.runtime_principals

  name = "runtime-${each.key}"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = each.value }
    }]
  })
}
