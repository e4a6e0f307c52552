# The fixture of the report snapshots (tests/snapshots.rs): a finding in this file, one in
# deploy.yaml, one suppressed finding and an input error (broken.tf).

# PR001: the role trusts EC2 but is passed to Lambda.
resource "aws_iam_role" "worker" {
  name = "worker"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "ec2.amazonaws.com" }
    }]
  })
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.worker.arn
}

# PR010, suppressed inline with its reason.
resource "aws_iam_policy" "bootstrap" {
  name = "bootstrap"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "iam:PassRole"
      Resource = "*" # passrole:ignore PR010 the bootstrap account has no other roles <yet> & "never will"
    }]
  })
}
