# A policy document merged in through source_policy_documents: its statements are part of the
# deployer policy, and the finding points into the merged document (PR010), once.
data "aws_iam_policy_document" "base" {
  statement {
    sid       = "PassAnything"
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "deployer" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]

  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogGroup", "logs:PutRetentionPolicy"]
    resources = ["arn:aws:logs:eu-west-1:123456789012:log-group:/app/*"]
  }
}

resource "aws_iam_policy" "deployer" {
  name   = "deployer"
  policy = data.aws_iam_policy_document.deployer.json
}
