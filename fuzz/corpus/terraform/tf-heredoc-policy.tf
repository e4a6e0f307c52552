# A policy in a plain heredoc (<<EOF): the finding points at the line inside the heredoc that holds
# the offending Resource, not at the heredoc's opening.
resource "aws_iam_policy" "deployer" {
  name   = "deployer"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PassRoles",
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": [
        "arn:aws:iam::123456789012:role/app/*",
        "arn:aws:iam::123456789012:role/*"
      ]
    }
  ]
}
EOF
}
