# data "aws_iam_policy_document" used as an identity policy (aws_iam_policy.policy = ...json): the
# statement grants PassRole on every role of the account (PR010 at the resources entry).
data "aws_iam_policy_document" "deployer" {
  statement {
    sid     = "PassRoles"
    actions = ["iam:PassRole"]
    resources = [
      "arn:aws:iam::123456789012:role/*",
    ]
  }
}

resource "aws_iam_policy" "deployer" {
  name   = "deployer"
  policy = data.aws_iam_policy_document.deployer.json
}
