# A trust policy heredoc that is not JSON, in a role with three instances: the input error is
# reported once, at the heredoc, not once per instance; the pass is a PR005 note.
resource "aws_iam_role" "replica" {
  count = 3

  name               = "replica-${count.index}"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{ "Effect": "Allow", "Action": "sts:AssumeRole", Principal: { "Service": "lambda.amazonaws.com" } }]
    }
  EOT
}

resource "aws_lambda_function" "replica" {
  count = 3

  function_name = "replica-${count.index}"
  role          = aws_iam_role.replica[count.index].arn
  handler       = "main.handler"
  runtime       = "python3.12"
  filename      = "build/replica.zip"
}
