# The role reaches the passer through a local value: it is followed to the role, which trusts
# Lambda, not Glue. PR001 at the pass that uses the local.
locals {
  etl_role_arn = aws_iam_role.etl.arn
}

resource "aws_iam_role" "etl" {
  name = "etl"
  path = "/data/"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_glue_job" "etl" {
  name     = "etl"
  role_arn = local.etl_role_arn
  command {
    script_location = "s3://etl-scripts-123456789012/etl.py"
  }
}
