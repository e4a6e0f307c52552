# One trust policy document used by two roles, each passed to Lambda: the extra EC2 principal is one
# source location, so PR002 is reported once there, not once per role.
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "api" {
  name               = "api"
  path               = "/app/"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role" "jobs" {
  name               = "jobs"
  path               = "/app/"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = aws_iam_role.api.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "api.zip"
}

resource "aws_lambda_function" "jobs" {
  function_name = "jobs"
  role          = aws_iam_role.jobs.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "jobs.zip"
}
