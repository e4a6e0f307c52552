# The CI deploy policy: it may pass roles so that it can create the functions above.
resource "aws_iam_policy" "deploy" {
  name = "deploy"
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "PassAppRoles",
          "Effect": "Allow",
          "Action": "iam:PassRole",
          "Resource": "arn:aws:iam::123456789012:role/app/*"
        },
        {
          "Sid": "Deploy",
          "Effect": "Allow",
          "Action": ["lambda:*", "iam:*"],
          "Resource": "*"
        }
      ]
    }
  EOF
}
