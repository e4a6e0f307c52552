# The same two mistakes, written in .tf and planned: a scan of this folder (the .tf and the plan made
# from it) reports each once, at its .tf line; a scan of the plan alone reports them at the same lines.
data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "worker" {
  name               = "worker"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  role          = aws_iam_role.worker.arn
  handler       = "index.handler"
  runtime       = "python3.12"
  filename      = "worker.zip"
}

resource "aws_iam_policy" "deploy" {
  name   = "deploy"
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Effect": "Allow",
          "Action": "iam:PassRole",
          "Resource": "*"
        }
      ]
    }
  EOF
}

# Known only after apply in the plan (it names the bucket's ARN): read from this .tf instead.
resource "aws_s3_bucket" "artifacts" {
  bucket_prefix = "artifacts"
}

resource "aws_iam_policy" "after_apply" {
  name = "after-apply"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "iam:PassRole", Resource = "*" },
      { Effect = "Allow", Action = "s3:GetObject", Resource = "${aws_s3_bucket.artifacts.arn}/*" },
    ]
  })
}
